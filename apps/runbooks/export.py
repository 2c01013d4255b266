"""A runbook as one Markdown document: for the hand-over pack, a wiki, or a laptop
without access to Transition when things break.

`markdown(...)` is a pure function over rows the view has loaded (the runbook, its
scenarios in order, and "who do I call" already answered by `apps.support.calls` for
each scenario's component), so it is tested without a request and costs no query.

The document: the runbook's title, its summary, then its facts (component, owner,
review-by, status); then each scenario in order, a `##` heading each, with every
section under a `###` heading and its text exactly as written (it is Markdown
already), the alerts that send an engineer to it, and whom to call for a P1, owners
tier by tier then the escalation path, with how to reach each. A section not written
yet and a contact that cannot be resolved are said so, never left blank.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, cast

from django.db import models
from django.utils.text import capfirst, slugify

from apps.core import text
from apps.runbooks.models import Runbook, Scenario
from apps.support.calls import Answer, Call
from apps.support.models import Path

if TYPE_CHECKING:
    from apps.accounts.models import User

# The scenario's sections, in the order an engineer needs them.
SECTIONS = ("symptoms", "normal", "problem", "first_checks", "diagnosis", "resolution", "rollback")
NOT_WRITTEN = "_Not written yet._"
# Who to call is answered for the worst case: whom to wake at 3 a.m.
PRIORITY = "P1"
# Characters with a meaning in Markdown, in the one-line values this module writes
# (titles, names, addresses); the sections' own text is Markdown and kept as written.
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def section_label(name: str) -> str:
    """ "Trigger and symptoms", "What normal looks like": the field's own name."""
    field = cast("models.Field[object, object]", Scenario._meta.get_field(name))
    return str(capfirst(field.verbose_name))


def sections(scenario: Scenario) -> list[tuple[str, str]]:
    """(heading, text) of each section, in order; the text without surrounding blank
    lines and with Unix line endings (a browser's form sends CR LF)."""
    return [(section_label(name), _text(getattr(scenario, name))) for name in SECTIONS]


def filename(runbook: Runbook) -> str:
    """ "payments-api.md"; `runbook-7.md` when the title has no letters to slug."""
    return f"{slugify(runbook.title) or f'runbook-{runbook.pk}'}.md"


def markdown(
    *,
    runbook: Runbook,
    scenarios: Sequence[Scenario],
    answers: Mapping[int | None, Answer],
    lead: User,
) -> str:
    """The runbook as Markdown. `answers` maps a component's id to "who do I call" for
    it (None: the escalation path alone, for scenarios without a component); `lead`,
    the transition's lead, is named when there is no escalation path."""
    lines = [f"# {_inline(runbook.title)}", ""]
    if runbook.summary.strip():
        lines += [_text(runbook.summary), ""]
    component = runbook.component.name if runbook.component else "The whole service"
    lines += [
        f"- Component: {_inline(component)}",
        f"- Owner: {_person(runbook.owner)}",
        f"- Review by: {runbook.review_by:%-d %B %Y} ({runbook.review_by.isoformat()})",
        f"- Status: {runbook.get_status_display()}",
        "",
    ]
    if not scenarios:
        lines += ["No scenarios yet.", ""]
    for n, scenario in enumerate(scenarios, start=1):
        lines += _scenario(n, scenario, answers.get(scenario.component_id), lead)
    return "\n".join(lines).rstrip("\n") + "\n"


def _scenario(n: int, scenario: Scenario, answer: Answer | None, lead: User) -> list[str]:
    lines = [f"## {n}. {_inline(scenario.title)}", ""]
    component = scenario.component.name if scenario.component else "None set"
    lines += [f"Component: {_inline(component)}", ""]
    for heading, body in sections(scenario):
        lines += [f"### {heading}", "", body or NOT_WRITTEN, ""]
    lines += ["### Alerts", ""]
    alerts = scenario.alerts
    lines += [f"- {_inline(name)}" for name in alerts] or ["_None listed._"]
    lines += ["", f"### Who to call ({PRIORITY})", ""]
    lines += who_to_call(answer, has_component=scenario.component is not None, lead=lead)
    lines.append("")
    return lines


def who_to_call(answer: Answer | None, *, has_component: bool, lead: User) -> list[str]:
    """The answer as Markdown lines: owners tier by tier, then the escalation path."""
    if answer is None:
        return ["Nobody could be resolved: reload the support model and export again."]
    lines: list[str] = []
    if has_component:
        lines += ["Owners, tier by tier:", ""]
        lines += [f"{n}. {_owner(call)}" for n, call in enumerate(answer.owners, start=1)]
    else:
        lines.append(
            "No component is set for this scenario, so no owner can be named: "
            "only the escalation path answers."
        )
    path = " (hypercare path)" if answer.path == Path.HYPERCARE else ""
    lines += ["", f"Then escalate{path}:", ""]
    if answer.hypercare_fallback:
        lines += ["In hypercare, but there is no hypercare path: this is the standard path.", ""]
    if not answer.escalation:
        lines.append(f"There is no escalation path: ask the transition's lead, {_person(lead)}.")
    lines += [f"{n}. {_level(call)}" for n, call in enumerate(answer.escalation, start=1)]
    return lines


def _owner(call: Call) -> str:
    name = _inline(call.team.name) if call.team else "Nobody"
    facts = [call.hours] if call.hours else []
    if call.target_minutes:
        facts.append(f"responds within {text.minutes(call.target_minutes)}")
    line = f"**{_inline(call.step)}**: {name}" + (f" ({'; '.join(facts)})" if facts else "")
    return line + _reach(call)


def _level(call: Call) -> str:
    if call.person is not None:
        who = _inline(call.person.display_name)
        if call.team is not None:
            who += f" ({_inline(call.team.name)})"
    else:
        who = _inline(call.team.name) if call.team else "Nobody"
    line = f"**{_inline(call.step)}**: {who}. {_inline(call.when)}."
    if call.now:
        line += f" **Call now for {PRIORITY}.**"
    if call.note:
        line += f" {_inline(call.note)}"
    return line + _reach(call)


def _reach(call: Call) -> str:
    """How to reach them, on the lines below (indented under the list item)."""
    extra = [f"{label}: {_inline(value)}" for label, value in call.means]
    if call.people:
        extra.append("People: " + ", ".join(_person(p) for p in call.people))
    if call.warning:
        extra.append(f"Warning: {_inline(call.warning)}")
    return "".join(f"\n   - {line}" for line in extra)


def _person(user: User) -> str:
    if user.display_name == user.email:
        return _inline(user.email)
    return f"{_inline(user.display_name)} ({_inline(user.email)})"


def _inline(value: str) -> str:
    """One line, its Markdown characters escaped: a title shows as typed."""
    return _SPECIAL.sub(r"\\\1", " ".join(str(value).split()))


def _text(value: str) -> str:
    return value.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()
