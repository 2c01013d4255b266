"""Demo runbooks: one set per demo transition, each in a different state.

- Identity provider migration (hypercare): the runbook an on-call engineer uses at
  3 a.m., published, so its "Runbooks" gate passes. A scenario for each critical
  component (the Keycloak cluster, its database, the Kubernetes platform) and for the
  two failures hypercare met (LDAP federation, the SMS passcode vendor), each with
  its symptoms, baselines, thresholds and error messages, checks, steps (commands in
  code blocks), rollback and alert names; operations walked every one through in the
  last weeks (worked, or worked with changes).
- Transition itself (readiness): a published runbook with the gaps a real one has a
  week or two before go-live: PostgreSQL (critical) is only in a draft runbook, the
  worker scenario does not say what normal looks like, the webhook scenario of the
  web app (critical) was never walked through, and the walkthrough of the two-beats
  scenario failed (its follow-up is a task on the transition).
- Customer notifications (planning): a draft with one half-written scenario.

`seed(today=..., password=...)` runs after the support seeder, whose components the
scenarios name (by name: a component the support model no longer has leaves the
scenario without one, which the gate reports). It writes through `services`: the
demo lead writes the runbooks, operations records the walkthroughs, so the history
reads like real use. Idempotent: a transition that already has a runbook (a demo
user may have edited it) is left as it is, and so is a closed one.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from apps.accounts import demo as accounts_demo
from apps.accounts.models import User
from apps.core.text import plural
from apps.projects.models import Project, Role
from apps.runbooks import readiness, services
from apps.runbooks.models import (
    Outcome,
    Runbook,
    RunbookStatus,
    Scenario,
    Walkthrough,
    WalkthroughKind,
)
from apps.support import demo as support_demo
from apps.support.models import Component

TABLETOP, GAME_DAY = WalkthroughKind.TABLETOP, WalkthroughKind.GAME_DAY
WORKED, CHANGED, FAILED = Outcome.WORKED, Outcome.WORKED_WITH_CHANGES, Outcome.FAILED
PUBLISHED, DRAFT = RunbookStatus.PUBLISHED, RunbookStatus.DRAFT
# Walkthroughs are recorded on the afternoon of the day they were held.
RECORDED_AT = dt.time(16, 30)


@dataclass(frozen=True)
class WalkthroughPlan:
    days_ago: int
    kind: str
    outcome: str
    by: str  # persona key of the operations member who records it
    participants: tuple[str, ...]
    gaps_found: str = ""
    follow_ups: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScenarioPlan:
    title: str
    component: str  # the name of a component of the transition's support model
    symptoms: str = ""
    normal: str = ""
    problem: str = ""
    first_checks: str = ""
    diagnosis: str = ""
    resolution: str = ""
    rollback: str = ""
    alerts: tuple[str, ...] = ()
    walkthroughs: tuple[WalkthroughPlan, ...] = ()


@dataclass(frozen=True)
class RunbookPlan:
    title: str
    owner: str  # persona key
    review_in_days: int
    status: str
    summary: str
    scenarios: tuple[ScenarioPlan, ...]
    component: str = ""  # blank: the whole service


@dataclass(frozen=True)
class TransitionRunbooks:
    transition: str  # the demo transition's name
    runbooks: tuple[RunbookPlan, ...]


# (a) Identity provider: a runbook an operations engineer would actually use ----------

SSO = "https://sso.demo.transition.example"
TEAM = ("ops", "opslead", "contributor")

KEYCLOAK_DOWN = ScenarioPlan(
    title="Staff cannot sign in: Keycloak answers 5xx or times out",
    component=support_demo.KEYCLOAK,
    symptoms="""\
- Staff report "We are sorry... An unexpected error occurred" or a blank page after
  entering their password; applications show their own "login failed" page.
- The load balancer answers **502 Bad Gateway** or **504 Gateway Timeout** on
  `/realms/staff/protocol/openid-connect/auth`.
- The service desk gets several calls within minutes ("nobody can log in").
""",
    normal="""\
- 3 of 3 Keycloak pods `Running` and `Ready`; `/health/ready` answers `{"status": "UP"}`.
- **p95 login latency 180 ms**; p99 under 400 ms.
- **40-60 logins/min at 9:00** on a weekday, peaking at 80/min around 13:30;
  under 5/min at night.
- Failed logins (wrong password) about 3% of attempts.
- JVM heap 45-60% of 2 GiB per pod; the Infinispan cluster view lists 3 members.
""",
    problem="""\
- `KeycloakDown`: fewer than 2 of 3 pods answer `/health/ready` for 2 minutes (P1).
- `KeycloakLoginLatencyHigh`: p95 login latency above **1 s for 10 minutes** (P2).
- `KeycloakLoginErrorsHigh`: more than 5% of login requests answer 5xx for 5 minutes.
- In the logs: `ISPN000094: Received new cluster view` repeating every few seconds
  (the nodes keep losing each other), `java.lang.OutOfMemoryError: Java heap space`,
  or `Unable to acquire JDBC Connection` (then go to the database scenario).
""",
    first_checks=f"""\
1. Is it everyone or some? Try a login yourself at {SSO}/realms/staff/account.
2. Look at the pods:
   ```
   kubectl -n keycloak get pods -o wide
   ```
3. Ask each pod whether it is ready (port 9000 is the management port):
   ```
   for p in $(kubectl -n keycloak get pods -l app=keycloak -o name); do
     kubectl -n keycloak exec "$p" -- curl -fsS localhost:9000/health/ready; echo
   done
   ```
4. Check the "Keycloak overview" Grafana dashboard: logins/min, p95 latency, 5xx rate.
""",
    diagnosis="""\
1. Errors in the last 15 minutes:
   ```
   kubectl -n keycloak logs statefulset/keycloak --since=15m --all-containers \\
     | grep -E 'ERROR|WARN|ISPN000094|OutOfMemory'
   ```
2. `Unable to acquire JDBC Connection` or `Connection refused` to port 5432: the
   database is the problem. Follow **Keycloak database unreachable or lagging**.
3. `OutOfMemoryError` or pods `OOMKilled` (`kubectl -n keycloak describe pod <pod>`):
   a session storm or a leak; note the time and the heap graph for the L3 engineers.
4. Pods `Pending` or nodes `NotReady`: the cluster is the problem. Follow
   **Keycloak pods cannot be scheduled**.
5. Only one realm or one client fails: a configuration change. Check the admin
   events (Realm settings > Events > Admin events) for changes in the last hour.
""",
    resolution="""\
1. One pod unhealthy: delete it; the StatefulSet starts a fresh one in about 90 s.
   ```
   kubectl -n keycloak delete pod keycloak-1
   kubectl -n keycloak rollout status statefulset/keycloak --timeout=5m
   ```
2. All pods unhealthy and the database is fine: restart them one at a time.
   ```
   kubectl -n keycloak rollout restart statefulset/keycloak
   ```
3. Confirm: a login of your own succeeds, p95 latency back under 300 ms, 5xx rate
   under 0.5% for 10 minutes. Then resolve the incident.
4. Not better within 30 minutes (P1): page Platform Engineering (L3).
""",
    rollback="""\
If a release or a configuration change started it (the admin events or the
deployment history show one in the last 24 hours):
```
kubectl -n keycloak rollout history statefulset/keycloak
kubectl -n keycloak rollout undo statefulset/keycloak
```
A realm configuration change is undone by importing the previous night's realm
export (see the runbook summary); only the L2 on-call does this, and tells the lead.
""",
    alerts=("KeycloakDown", "KeycloakLoginLatencyHigh", "KeycloakLoginErrorsHigh"),
    walkthroughs=(
        WalkthroughPlan(
            16,
            TABLETOP,
            CHANGED,
            "ops",
            TEAM,
            "The first checks did not say how to ask each pod for its health: added the "
            "loop over the pods. The 90 s a new pod takes to join the cluster was unknown "
            "to the desk; now in the resolution steps.",
        ),
        WalkthroughPlan(
            11,
            GAME_DAY,
            WORKED,
            "opslead",
            ("ops", "opslead", "contributor", "lead"),
            "None: keycloak-1 was deleted during the morning peak; logins kept working on "
            "the other two pods and p95 rose to 320 ms for two minutes.",
        ),
    ),
)

KEYCLOAK_DB = ScenarioPlan(
    title="Keycloak database unreachable or lagging",
    component=support_demo.KEYCLOAK_DB,
    symptoms="""\
- Logins fail or hang for everyone at once; Keycloak logs
  `Unable to acquire JDBC Connection` or `Connection to keycloak-db:5432 refused`.
- The admin console loads but saving anything fails with "Unexpected error".
- Or, with no user impact yet: the replica falls behind the primary.
""",
    normal="""\
- Primary `keycloak-db-0` and streaming replica `keycloak-db-1`, both `Running`.
- 30-50 connections in use of `max_connections = 200` (each Keycloak pod keeps a
  pool of up to 20); about 120 transactions/s at the 9:00 peak.
- Replication lag under 1 s (usually 50-200 ms); the WAL archive is never more than
  5 minutes behind.
- Disk of the data volume under 60% (it grows about 1 GB a month).
""",
    problem="""\
- `PostgresDown`: the primary does not answer for 1 minute (P1).
- `PostgresReplicationLag`: the replica more than **30 s** behind for 5 minutes (P2);
  a failover then loses up to that much of the latest sessions.
- `PostgresTooManyConnections`: more than 180 connections for 5 minutes; the log
  says `FATAL: remaining connection slots are reserved for non-replication
  superuser connections`.
- `PostgresDiskAlmostFull`: the data volume over 85%.
""",
    first_checks="""\
1. Is the primary up?
   ```
   kubectl -n keycloak get pods -l app=keycloak-db -o wide
   kubectl -n keycloak exec keycloak-db-0 -- pg_isready -U keycloak
   ```
2. How far behind is the replica, and how many connections are open?
   ```
   kubectl -n keycloak exec keycloak-db-0 -- psql -U postgres -c \\
     "select client_addr, state, replay_lag from pg_stat_replication;"
   kubectl -n keycloak exec keycloak-db-0 -- psql -U postgres -c \\
     "select state, count(*) from pg_stat_activity group by state;"
   ```
""",
    diagnosis="""\
1. Many connections `idle in transaction`: a Keycloak pod holds them; find it with
   `select client_addr, count(*) from pg_stat_activity group by 1;` and restart that pod.
2. Replication lag growing while the primary is busy: look for a long query
   (`select pid, now() - query_start, query from pg_stat_activity order by 2 desc limit 5;`)
   or a vacuum of the `offline_client_session` table.
3. Primary pod `CrashLoopBackOff`: read its log for `No space left on device` or
   `could not write to file "pg_wal/..."`.
""",
    resolution="""\
1. Connections exhausted: restart the Keycloak pod that holds most of them
   (`kubectl -n keycloak delete pod <pod>`); the pool reconnects.
2. Disk full: page Platform Engineering (L3) to grow the volume; do not delete
   files under `pg_wal`.
3. Primary lost and not back within 10 minutes (P1): the L3 on-call promotes the
   replica:
   ```
   kubectl -n keycloak exec keycloak-db-1 -- psql -U postgres -c "select pg_promote();"
   kubectl -n keycloak patch service keycloak-db \\
     -p '{"spec":{"selector":{"statefulset.kubernetes.io/pod-name":"keycloak-db-1"}}}'
   kubectl -n keycloak rollout restart statefulset/keycloak
   ```
   Sessions of the last seconds before the failure are lost: staff log in again.
""",
    rollback="""\
After a promotion, the old primary must not come back as a primary: keep
`keycloak-db-0` scaled down until the L3 engineers rebuild it as the new replica
(`pg_basebackup` from `keycloak-db-1`). Point the service back only after that.
""",
    alerts=(
        "PostgresDown",
        "PostgresReplicationLag",
        "PostgresTooManyConnections",
        "PostgresDiskAlmostFull",
    ),
    walkthroughs=(
        WalkthroughPlan(
            12,
            GAME_DAY,
            CHANGED,
            "opslead",
            TEAM,
            "The failover took 4 min 10 s, not the 2 minutes the scenario said: the "
            "Keycloak pods kept their old connections until restarted. Added the rollout "
            "restart to the promotion steps.",
        ),
    ),
)

KUBERNETES = ScenarioPlan(
    title="Keycloak pods cannot be scheduled (node failure, cluster upgrade)",
    component=support_demo.KUBERNETES,
    symptoms="""\
- Fewer than 3 Keycloak pods running; the missing ones are `Pending`, `Evicted` or
  `ContainerCreating` for minutes.
- Logins slower than usual (two pods carry the peak) or failing if one pod is left.
- Often during the platform's patch window (Tuesdays 06:00-07:00).
""",
    normal="""\
- 6 worker nodes `Ready`; the Keycloak pods on 3 different nodes (anti-affinity).
- A pod restarted by an upgrade is `Ready` again within 90 s.
- The PodDisruptionBudget allows 1 pod down at a time (`ALLOWED DISRUPTIONS 1`).
""",
    problem="""\
- `KeycloakPodsUnavailable`: fewer than 3 ready pods for 10 minutes (P2), fewer than
  2 for 2 minutes (P1, with `KeycloakDown`).
- `KubeNodeNotReady` on a node that runs a Keycloak pod.
- `KubePodCrashLooping` for a pod in the `keycloak` namespace.
- Events like `0/6 nodes are available: 3 Insufficient memory` or
  `FailedAttachVolume`.
""",
    first_checks="""\
```
kubectl get nodes
kubectl -n keycloak get pods -o wide
kubectl -n keycloak get events --sort-by=.lastTimestamp | tail -20
kubectl -n keycloak get pdb
```
""",
    diagnosis="""\
1. A node `NotReady`: its pods are rescheduled after 5 minutes; check whether the
   platform team is patching it (#platform-eng, the change calendar).
2. `Insufficient memory`: another workload took the room; `kubectl top nodes`.
3. `ImagePullBackOff`: the registry is unreachable or the image tag was removed.
""",
    resolution="""\
1. A node stuck `NotReady` for more than 10 minutes: ask Platform Engineering to
   cordon and drain it:
   ```
   kubectl cordon <node>
   kubectl drain <node> --ignore-daemonsets --delete-emptydir-data
   ```
2. No room on the cluster (P1): Platform Engineering scales the node pool out by one.
3. Confirm 3 of 3 pods `Ready` on three nodes and the login latency back to normal.
""",
    rollback="""\
Uncordon a node drained by mistake: `kubectl uncordon <node>`. A cluster upgrade
that leaves Keycloak unschedulable is paused and rolled back by Platform
Engineering; the desk only reports it.
""",
    alerts=("KeycloakPodsUnavailable", "KubeNodeNotReady", "KubePodCrashLooping"),
    walkthroughs=(
        WalkthroughPlan(
            14,
            TABLETOP,
            WORKED,
            "ops",
            ("ops", "opslead"),
            "None. The PodDisruptionBudget held during the rehearsed drain.",
        ),
    ),
)

LDAP_FEDERATION = ScenarioPlan(
    title="Federated users cannot log in: the LDAP federation to the HR directory fails",
    component=support_demo.LDAP,
    symptoms="""\
- Staff get "Invalid username or password" with the right password; local accounts
  (contractors in the fallback realm) still log in.
- New joiners from today are missing; leavers can still log in.
""",
    normal="""\
- LDAP bind p95 25 ms from Keycloak to `ldaps://hr-directory.demo.transition.example:636`.
- Nightly full sync at 01:30 imports about 6,200 users in 4 minutes; changed users
  every 15 minutes.
""",
    problem="""\
- `KeycloakLdapFederationErrors`: more than 10 LDAP errors a minute for 5 minutes.
- In the Keycloak log: `javax.naming.CommunicationException: hr-directory...:636`
  or `LDAP: error code 49 - Invalid Credentials` for the bind account.
- The sync's last success older than 30 minutes (the "Keycloak overview" dashboard).
""",
    first_checks="""\
1. In the admin console: User federation > hr-directory > **Test connection** and
   **Test authentication**.
2. From a pod:
   ```
   kubectl -n keycloak exec keycloak-0 -- \\
     openssl s_client -connect hr-directory.demo.transition.example:636 -brief </dev/null
   ```
""",
    diagnosis="""\
1. Connection refused or timed out: the HR directory is down or the firewall
   changed; ask the HR systems team (their status page, then their on-call).
2. `error code 49`: the bind account's password expired (it rotates every 90 days).
3. Certificate error (`PKIX path building failed`): the directory's certificate was
   renewed with a new CA.
""",
    resolution="""\
1. Directory down for more than 15 minutes: switch logins to the fallback realm
   (Authentication > flows > "browser with fallback" > bind to the staff realm) and
   tell the desk to announce it.
2. Bind password expired: L2 sets the new password from the vault entry
   `keycloak/ldap-bind` in User federation > hr-directory, then **Test authentication**.
3. New CA: Platform Engineering adds it to the truststore secret and restarts the pods.
""",
    rollback="""\
Switch the browser flow back to "browser" once **Test authentication** succeeds and
run a "Sync changed users" so today's joiners and leavers are applied.
""",
    alerts=("KeycloakLdapFederationErrors",),
    walkthroughs=(
        WalkthroughPlan(
            13,
            GAME_DAY,
            WORKED,
            "ops",
            TEAM,
            "None: with the federation disabled in staging the test accounts logged in "
            "through the fallback realm within 3 minutes of the switch.",
        ),
    ),
)

SMS_OUTAGE = ScenarioPlan(
    title="One-time passcodes by SMS do not arrive (Textwave outage)",
    component=support_demo.SMS_OTP,
    symptoms="""\
- Staff without the authenticator app wait for a code that never comes; the desk
  gets calls from people who "did not get the text".
- Keycloak logs `Failed to send SMS` from the Textwave authenticator.
""",
    normal="""\
- About 300 codes a day, 98% delivered within 20 s (Textwave's delivery reports).
- The Textwave status page shows "All systems operational".
""",
    problem="""\
- `TextwaveDeliveryRateLow`: fewer than 90% of codes delivered within 60 s over 15
  minutes.
- `KeycloakOtpSendFailures`: the Textwave API answers 5xx or times out (more than 5
  in 5 minutes).
""",
    first_checks="""\
1. The Textwave status page, and the delivery report of the last hour in their portal.
2. Send yourself a code from the account console (Signing in > SMS code > Test).
""",
    diagnosis="""\
1. Textwave reports an incident: it is theirs; open a severity 1 case so it counts
   against their service level.
2. Only one mobile network affected: Textwave's route to it; say which in the case.
3. API answers 401: the API key was rotated; it is in the vault at `keycloak/textwave`.
""",
    resolution="""\
1. Open the case (Textwave support portal, severity 1) and give the failing times.
2. For staff who must log in now: the desk issues a one-day recovery code after
   checking their identity by a video call (service desk procedure SD-14).
3. When delivery is back above 95%, resolve the incident and note the case number.
""",
    alerts=("TextwaveDeliveryRateLow", "KeycloakOtpSendFailures"),
    walkthroughs=(
        WalkthroughPlan(
            3,
            TABLETOP,
            CHANGED,
            "opslead",
            ("ops", "opslead", "viewer"),
            "Only Helena could open a Textwave case; Grace now has a login too. The "
            "recovery-code procedure was linked.",
        ),
    ),
)

IDENTITY = TransitionRunbooks(
    transition=support_demo.IDENTITY.transition,
    runbooks=(
        RunbookPlan(
            title="Keycloak single sign-on: on-call runbook",
            owner="opslead",
            review_in_days=75,
            status=PUBLISHED,
            summary=f"""\
Keycloak serves every staff sign-in ({SSO}, realm `staff`): three pods in the
`keycloak` namespace, a PostgreSQL primary and replica, users federated from the HR
directory, SMS codes from Textwave as the second factor for some staff.

Dashboards: "Keycloak overview" and "PostgreSQL - keycloak" in Grafana. The realm
export runs at 02:00 to `s3://idp-backups/realm-export/`.
""",
            scenarios=(KEYCLOAK_DOWN, KEYCLOAK_DB, KUBERNETES, LDAP_FEDERATION, SMS_OUTAGE),
        ),
    ),
)

# (b) Transition itself: published with gaps, and a draft ------------------------------

APP = "https://transition.demo.transition.example"

WEB_ERRORS = ScenarioPlan(
    title="Pages answer 5xx or time out",
    component=support_demo.WEB,
    symptoms="""\
- "Server Error (500)" or the load balancer's **502 Bad Gateway** on every page.
- `/healthz` answers 503, and the load balancer takes the node out of the pool.
""",
    normal="""\
- p95 page time 120 ms; the dashboard 250 ms at 1,000 transitions.
- 5xx under 0.1% of requests; `/healthz` answers `{"database": "ok", "broker": "ok"}`.
- 4 gunicorn workers per container, 2 containers.
""",
    problem="""\
- `TransitionHttp5xxHigh`: more than 2% of requests answer 5xx for 5 minutes.
- `TransitionHealthzFailing`: `/healthz` not 200 for 2 minutes.
- In the log: `OperationalError: could not connect to server` (the database) or
  `[CRITICAL] WORKER TIMEOUT` (gunicorn).
""",
    first_checks=f"""\
```
curl -sS {APP}/healthz
docker compose ps
docker compose logs --since 15m web | grep -E 'ERROR|CRITICAL|Traceback'
```
""",
    diagnosis="""\
1. `/healthz` says the database is down: go to the PostgreSQL runbook.
2. `WORKER TIMEOUT`: a slow page or a slow database; the slow query log of the last
   15 minutes.
3. Errors started at a deploy: compare with the release time in #transition-dev.
""",
    resolution="""\
1. Restart the web containers: `docker compose restart web`.
2. Not better: roll back the release (below) and page Platform Delivery.
""",
    rollback="""\
```
TRANSITION_IMAGE=registry.demo.transition.example/transition:<previous tag> \\
  docker compose up -d web worker beat
```
Migrations are backwards compatible for one release; never roll back two.
""",
    alerts=("TransitionHttp5xxHigh", "TransitionHealthzFailing"),
    walkthroughs=(
        WalkthroughPlan(
            6,
            TABLETOP,
            WORKED,
            "ops",
            ("ops", "opslead", "contributor"),
            "None.",
        ),
    ),
)

WEBHOOKS_REFUSED = ScenarioPlan(
    title="Alertmanager's notifications to Transition are refused",
    component=support_demo.WEB,
    symptoms="""\
- Alerts fire in Alertmanager but the transition's Monitoring page shows nothing new.
- Alertmanager logs `Notify for alerts failed ... unexpected status code 404`.
""",
    normal="""\
- Every delivery answered **202**; repeats of one alert are recorded once.
- `alertmanager_notifications_failed_total{integration="webhook"}` flat.
""",
    problem="""\
- `AlertmanagerNotificationsFailing` for the `transition` receiver.
- **404**: the token in the URL is unknown (rotated or mistyped); **413**: a body
  over 1 MiB (too many alerts grouped); **400**: not Alertmanager's format.
""",
    first_checks="""\
1. The receiver's URL in `alertmanager.yml`: `/hooks/alertmanager/<token>/`.
2. The transition's Monitoring > Integrations page: is that token still active?
""",
    diagnosis="""\
A 413 comes with `group_by: [...]` too wide: the group holds hundreds of alerts.
""",
    resolution="""\
1. 404: copy the active token's URL into `alertmanager.yml` and reload Alertmanager
   (`curl -X POST http://alertmanager:9093/-/reload`).
2. 413: narrow `group_by` to `[alertname, service]`.
""",
    alerts=("AlertmanagerNotificationsFailing",),
)

WORKER_STOPPED = ScenarioPlan(
    title="Reminder digests stop going out",
    component=support_demo.WORKER,
    symptoms="""\
- People say they had no digest this morning; the Reminders page shows no digest
  for today after 08:00.
""",
    problem="""\
- `TransitionWorkerHeartbeatStale`: no worker heartbeat for 10 minutes.
- `CeleryQueueBacklog`: more than 500 messages waiting for 15 minutes.
""",
    first_checks="""\
```
docker compose ps worker
docker compose exec worker celery -A transition inspect ping
```
""",
    resolution="""\
1. Restart the worker: `docker compose restart worker`.
2. Today's digests not sent by 10:00: send them by hand; a digest already sent is
   not sent twice.
   ```
   docker compose exec web python manage.py send_reminders
   ```
""",
    alerts=("TransitionWorkerHeartbeatStale", "CeleryQueueBacklog"),
)

TWO_BEATS = ScenarioPlan(
    title="Two beats running: every periodic job runs twice",
    component=support_demo.BEAT,
    symptoms="""\
- Each hypercare evaluation appears twice in the same minute.
- The worker log shows `send_reminders` received twice at REMINDERS_HOUR.
""",
    normal="""\
- Exactly one `beat` container in the whole estate.
- One `send_reminders` a day, one `evaluate_hypercare` an hour.
""",
    problem="""\
- Two `Scheduler: Sending due task` lines for the same task within seconds.
- The sent-log stops duplicate digests, so people see no harm; the work is done twice.
""",
    first_checks="""\
```
docker compose ps beat
```
and the same on the standby host.
""",
    resolution="""\
Stop the second beat: `docker compose stop beat` on the host that should not run it.
""",
    alerts=("TransitionBeatDuplicate",),
    walkthroughs=(
        WalkthroughPlan(
            4,
            TABLETOP,
            FAILED,
            "opslead",
            ("ops", "opslead", "contributor"),
            "Nobody could tell which host should run beat: the scenario says 'the standby "
            "host' but the hosts are not named, and stopping the wrong one stops every "
            "periodic job.",
            follow_ups=("Name the host that runs beat in the two-beats scenario",),
        ),
    ),
)

REDIS_DOWN = ScenarioPlan(
    title="Redis broker unreachable: /healthz turns unhealthy",
    component=support_demo.REDIS,
    symptoms="""\
- `/healthz` answers 503 with `"broker": "unreachable"`; the nodes leave the pool.
""",
    normal="""\
- Redis answers `PONG`; memory under 100 MB; queue length near 0 outside 08:00.
""",
    problem="""\
- `RedisDown`: no answer for 1 minute.
- Worker log: `Error 111 connecting to redis:6379. Connection refused.`
""",
    first_checks="""\
```
docker compose exec redis redis-cli ping
```
""",
    resolution="""\
1. `docker compose restart redis`; the worker reconnects by itself.
2. Messages queued during the outage are lost: run `send_reminders` once Redis is back.
""",
    alerts=("RedisDown",),
)

POSTGRES_RESTORE = ScenarioPlan(
    title="Restore PostgreSQL from the nightly backup",
    component=support_demo.POSTGRES,
    symptoms="""\
- The database is lost or corrupted (`PANIC: could not locate a valid checkpoint record`).
""",
    normal="""\
- Nightly `pg_dump` at 01:00 of about 400 MB; WAL archived every 5 minutes.
""",
    problem="""\
- `PostgresDown` for more than 10 minutes, or `PostgresBackupMissing`: no backup in
  26 hours.
""",
    resolution="""\
```
docker compose stop web worker beat
pg_restore --clean --if-exists -d transition /backups/transition-latest.dump
docker compose start web worker beat
```
""",
    alerts=("PostgresDown", "PostgresBackupMissing"),
    walkthroughs=(
        WalkthroughPlan(
            7,
            TABLETOP,
            CHANGED,
            "ops",
            ("ops", "opslead"),
            "The restore has not been timed yet: the drill in staging is still to do. "
            "Added the step to stop beat first.",
        ),
    ),
)

TRANSITION_ITSELF = TransitionRunbooks(
    transition=support_demo.TRANSITION_ITSELF.transition,
    runbooks=(
        RunbookPlan(
            title="Transition: on-call runbook",
            owner="contributor",
            review_in_days=45,
            status=PUBLISHED,
            summary=f"""\
Transition ({APP}) runs as Docker Compose services on two hosts: `web` (gunicorn),
`worker` and `beat` (Celery, exactly one beat), Redis as the broker, PostgreSQL 16.
""",
            scenarios=(WEB_ERRORS, WEBHOOKS_REFUSED, WORKER_STOPPED, TWO_BEATS, REDIS_DOWN),
        ),
        RunbookPlan(
            title="PostgreSQL recovery",
            owner="contributor",
            review_in_days=45,
            status=DRAFT,
            summary="Backups, restores and failover of Transition's database.",
            scenarios=(POSTGRES_RESTORE,),
            component=support_demo.POSTGRES,
        ),
    ),
)

# (c) Planning: a draft with one scenario --------------------------------------------------

SMS_PROVIDER = "SMS provider integration"

NOTIFICATIONS = TransitionRunbooks(
    transition=support_demo.NOTIFICATIONS.transition,
    runbooks=(
        RunbookPlan(
            title="Customer notifications: on-call runbook",
            owner="contributor",
            review_in_days=90,
            status=DRAFT,
            summary="Being written with the service; published before go-live.",
            scenarios=(
                ScenarioPlan(
                    title="SMS messages are not delivered: the provider rejects or throttles",
                    component=SMS_PROVIDER,
                    symptoms="Customers do not receive their SMS; the delivery workers log "
                    "`429 Too Many Requests` from the provider.",
                    problem="More than 2% of SMS requests rejected over 10 minutes.",
                    alerts=("NotificationsSmsRejected",),
                ),
            ),
        ),
    ),
)

PLANS = (IDENTITY, TRANSITION_ITSELF, NOTIFICATIONS)


def seed(*, today: dt.date, password: str) -> list[str]:
    """Write the runbooks of each demo transition that has none; returns one line each.

    `password` is the accounts seeder's (every seeder takes the same arguments).
    """
    people = accounts_demo.people()
    lines = []
    for plan in PLANS:
        project = Project.objects.filter(name=plan.transition).first()
        if project is None:
            lines.append(f"  {plan.transition:<64} not found: skipped")
            continue
        if Runbook.objects.filter(project=project).exists():
            state = "already there"
        elif project.is_closed:
            state = f"{project.get_phase_display()}: left as it is"
        else:
            ensure_runbooks(project, plan, people, today=today)
            state = "created"
        lines.append(f"  {project.name:<64} {describe(project, today=today)}  ({state})")
    return lines


def describe(project: Project, *, today: dt.date) -> str:
    """ "1 published, 1 draft, 5 scenarios, 6 walkthroughs: gate passes" for the report."""
    runbooks = Runbook.objects.filter(project=project)
    published = runbooks.filter(status=PUBLISHED).count()
    scenarios = Scenario.objects.filter(project=project).count()
    walkthroughs = Walkthrough.objects.filter(project=project).count()
    facts = readiness.facts_for_many([project.pk])[project.pk]
    result = readiness.evaluate(facts, today=today, fresh_days=readiness.fresh_days())
    blocking = len(result.blocking)
    verdict = (
        "gate passes"
        if result.passed
        else plural(blocking, "blocking finding", "blocking findings")
    )
    return (
        f"{published} published, {runbooks.count() - published} draft, "
        f"{plural(scenarios, 'scenario', 'scenarios')}, "
        f"{plural(walkthroughs, 'walkthrough', 'walkthroughs')}: {verdict}"
    )


def ensure_runbooks(
    project: Project, plan: TransitionRunbooks, people: dict[str, User], *, today: dt.date
) -> None:
    """Write `plan` into `project`, which has no runbook yet: the demo lead writes the
    runbooks and scenarios, operations records the walkthroughs."""
    lead = people["lead"]
    components = {c.name: c for c in Component.objects.filter(project=project)}
    for rb in plan.runbooks:
        runbook = services.runbook_save(
            runbook=Runbook(
                project=project,
                title=rb.title,
                component=components.get(rb.component),
                owner=people[rb.owner],
                review_by=today + dt.timedelta(days=rb.review_in_days),
                status=rb.status,
                summary=rb.summary,
            ),
            by=lead,
        )
        for sp in rb.scenarios:
            scenario = services.scenario_save(
                scenario=Scenario(
                    project=project,
                    runbook=runbook,
                    title=sp.title,
                    component=components.get(sp.component),
                    symptoms=sp.symptoms,
                    normal=sp.normal,
                    problem=sp.problem,
                    first_checks=sp.first_checks,
                    diagnosis=sp.diagnosis,
                    resolution=sp.resolution,
                    rollback=sp.rollback,
                    alert_names="\n".join(sp.alerts),
                ),
                by=lead,
            )
            # Oldest first, so the history reads in the order they were held.
            for wp in sorted(sp.walkthroughs, key=lambda w: -w.days_ago):
                held_on = today - dt.timedelta(days=wp.days_ago)
                services.walkthrough_record(
                    scenario=scenario,
                    held_on=held_on,
                    kind=wp.kind,
                    participants=[people[key] for key in wp.participants],
                    outcome=wp.outcome,
                    gaps_found=wp.gaps_found,
                    follow_ups=wp.follow_ups,
                    by=people[wp.by],
                    role=Role.OPS,
                    now=timezone.make_aware(dt.datetime.combine(held_on, RECORDED_AT)),
                )
