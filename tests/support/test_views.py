"""The support model's pages: query budgets, the matrix edited in place, removing a team,
the escalation paths, "Who do I call?", the gaps, a closed transition and stale edits.

Who may do what is `test_access_matrix.py`'s: these tests act as the lead (or a
contributor) and check what the pages say and what they write.
"""

import re

import pytest
from django.urls import reverse

from apps.core.concurrency import version_of
from apps.projects import summary
from apps.projects.models import Project, Role
from apps.support import services
from apps.support.forms import ComponentForm
from apps.support.models import (
    Component,
    Criticality,
    EscalationLevel,
    Hours,
    Ownership,
    Path,
    SupportSettings,
    SupportTeam,
    Tier,
)
from tests import factories
from tests.support.factories import model_fully

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


# Helpers -------------------------------------------------------------------------


def _url(name: str, project: Project, *args: int) -> str:
    return reverse(name, args=[project.pk, *args])


def _body(response) -> str:
    return response.content.decode()


def _cell_values(team: SupportTeam, **changes) -> dict:
    return {
        "team": team,
        "hours": Hours.BUSINESS,
        "p1_minutes": 30,
        "p2_minutes": None,
        "p3_minutes": None,
        "p4_minutes": None,
        **changes,
    }


def _set_cell(project, component, tier, team, by, **changes) -> Ownership:
    """Set a cell through the service, as the page would, reading its version first."""
    cell = Ownership.objects.filter(component=component, tier=tier).first()
    return services.cell_set(
        project=project,
        component=component,
        tier=tier,
        values=_cell_values(team, **changes),
        by=by,
        seen_version=version_of(cell) if cell else "",
    )


def _snapshot() -> tuple:
    """Everything a support page may write, to assert that a refusal wrote nothing."""
    return (
        list(Component.objects.order_by("pk").values_list("pk", "name", "criticality")),
        list(Tier.objects.order_by("pk").values_list("pk", "name", "position")),
        list(SupportTeam.objects.order_by("pk").values_list("pk", "name")),
        list(SupportTeam.members.through.objects.order_by("pk").values_list("pk")),
        list(
            Ownership.objects.order_by("pk").values_list(
                "pk", "team", "hours", "p1_minutes", "p2_minutes", "updated_at"
            )
        ),
        list(EscalationLevel.objects.order_by("pk").values_list("pk", "path", "position", "team")),
        list(SupportSettings.objects.order_by("pk").values_list("catch_all")),
    )


def _members(project: Project, n: int) -> list:
    users = [factories.UserFactory() for _ in range(n)]
    for user in users:
        factories.MembershipFactory(project=project, user=user, role=Role.OPS)
    return users


def _scale_model(project: Project, *, components: int, teams: int, levels: int = 3) -> None:
    """A support model of `components` components, each owned at every one of three tiers,
    spread over `teams` teams (each with members), and `levels` levels in each path.

    Bulk inserts: the query budgets are about the pages, not about how the rows came."""
    people = _members(project, 3)
    tier_rows = Tier.objects.bulk_create(
        Tier(project=project, position=n, name=f"L{n}") for n in (1, 2, 3)
    )
    team_rows = SupportTeam.objects.bulk_create(
        SupportTeam(
            project=project,
            name=f"Team {n:02}",
            phone=f"+44 20 7946 {n:04}",
            email=f"team{n}@example.com",
            in_scope="Everything it owns.",
        )
        for n in range(teams)
    )
    for n, team in enumerate(team_rows):
        team.members.set(people[: 1 + n % 3])
    component_rows = Component.objects.bulk_create(
        Component(
            project=project,
            name=f"Component {n:02}",
            criticality=Criticality.CRITICAL if n % 2 else Criticality.NORMAL,
        )
        for n in range(components)
    )
    Ownership.objects.bulk_create(
        Ownership(
            project=project,
            component=component,
            tier=tier,
            team=team_rows[(c + t) % teams],
            hours=Hours.ALWAYS if t == 0 else Hours.BUSINESS,
            p1_minutes=15 * (t + 1),
            p2_minutes=240,
        )
        for c, component in enumerate(component_rows)
        for t, tier in enumerate(tier_rows)
    )
    EscalationLevel.objects.bulk_create(
        EscalationLevel(
            project=project,
            path=path,
            position=n + 1,
            team=team_rows[n % teams] if n % 3 else None,
            person=None if n % 3 else people[n % 3],
            after_minutes=30 * (n + 1) if n else None,
            on_priority="P1" if n == levels - 1 else "",
        )
        for path in (Path.STANDARD, Path.HYPERCARE)
        for n in range(levels)
    )
    SupportSettings.objects.create(project=project, catch_all=team_rows[0])
    summary.refresh(project.pk)


# 1. Query budgets ------------------------------------------------------------------

# Every page starts with 3 queries: the session, its user, and the project with its
# summary and the user's role (access_for). The matrix, the gaps and the escalation
# and teams pages then evaluate the "Support model" gate (readiness.facts_for): 7
# queries, one per table (components, tiers, cells, team members, teams, levels,
# catch-all). Nothing below is per row: members are prefetched once per page.
# 3 + tiers, cells with their teams, components + 7 for the gate.
MATRIX_QUERIES = 13
# 3 + the components (for the picker) + the chosen component + the catch-all with its
# team + its members + tiers + the component's cells with their teams + their members
# + the levels with teams and people + their teams' members + the form's component
# choices (a COUNT and the rows: a ModelChoiceIterator in a template `for`).
WHO_QUERIES = 14
# 3 + the levels with their teams and people + their teams' members (current members of
# the transition only) + the transition's member ids (a level naming someone who left
# shows no address) + 7 for the gate.
ESCALATION_QUERIES = 13
# 3 + the teams with their cell and level counts + their members + 7 for the gate + the
# catch-all with its team + the catch-all select's choices (a COUNT and the rows).
TEAMS_QUERIES = 15


@pytest.mark.parametrize("n", [5, 50])
def test_the_matrix_costs_the_same_queries_with_5_or_50_components(
    client_as, django_assert_max_num_queries, project, lead, n
):
    _scale_model(project, components=n, teams=4)
    client = client_as(lead)
    with django_assert_max_num_queries(MATRIX_QUERIES):
        page = client.get(_url("support:matrix", project))
    assert page.status_code == 200
    assert _body(page).count('data-testid="owner"') == 3 * n


@pytest.mark.parametrize("n", [5, 50])
def test_who_do_i_call_costs_the_same_queries_with_5_or_50_components(
    client_as, django_assert_max_num_queries, project, lead, n
):
    _scale_model(project, components=n, teams=4)
    component = Component.objects.filter(project=project).last()
    client = client_as(lead)
    with django_assert_max_num_queries(WHO_QUERIES):
        page = client.get(_url("support:who", project), {"component": component.pk})
    assert page.status_code == 200
    assert 'data-testid="who-answer"' in _body(page)


@pytest.mark.parametrize("n", [3, 30])
def test_the_escalation_page_costs_the_same_queries_with_3_or_30_levels(
    client_as, django_assert_max_num_queries, project, lead, n
):
    _scale_model(project, components=2, teams=4, levels=n)
    client = client_as(lead)
    with django_assert_max_num_queries(ESCALATION_QUERIES):
        page = client.get(_url("support:escalation", project))
    assert page.status_code == 200
    assert _body(page).count('id="level-') == 2 * n


@pytest.mark.parametrize("n", [2, 20])
def test_the_teams_page_costs_the_same_queries_with_2_or_20_teams(
    client_as, django_assert_max_num_queries, project, lead, n
):
    _scale_model(project, components=5, teams=n)
    client = client_as(lead)
    with django_assert_max_num_queries(TEAMS_QUERIES):
        page = client.get(_url("support:teams", project))
    assert page.status_code == 200
    assert _body(page).count('<article class="card h-100" id="team-') == n


# 2. The matrix, edited in place -----------------------------------------------------


@pytest.fixture
def matrix_world(project, lead, ops):
    """A component with the default tiers and two teams; the first cell owned by the desk."""
    component = services.component_save(
        component=Component(project=project, name="Payments API", criticality="critical"),
        by=lead,
    )
    tiers = list(Tier.objects.filter(project=project))
    desk = services.team_save(
        team=SupportTeam(project=project, name="Service Desk", phone="+44 20 7946 0000"),
        members=[ops],
        by=lead,
    )
    app = services.team_save(
        team=SupportTeam(project=project, name="App Support", email="app@example.com"),
        members=[ops],
        by=lead,
    )
    _set_cell(project, component, tiers[0], desk, lead, hours=Hours.ALWAYS, p1_minutes=15)
    return {"component": component, "tiers": tiers, "desk": desk, "app": app}


def _cell_url(project, w, tier_index: int) -> str:
    return _url("support:cell", project, w["component"].pk, w["tiers"][tier_index].pk)


def test_the_cell_answers_its_form_to_htmx(client_as, project, lead, matrix_world):
    answer = client_as(lead).get(_cell_url(project, matrix_world, 0), **HTMX)
    body = _body(answer)
    assert answer.status_code == 200
    assert 'data-testid="cell-form"' in body
    assert "<html" not in body  # the partial, not the page
    # The form is filled with the cell as it stands, and carries its version.
    assert re.search(rf'<option value="{matrix_world["desk"].pk}" selected>Service Desk', body)
    cell = Ownership.objects.get(component=matrix_world["component"], tier=matrix_world["tiers"][0])
    assert f'value="{version_of(cell)}"' in body


def test_show_answers_the_cell_as_it_stands(client_as, project, lead, matrix_world):
    owned = client_as(lead).get(_cell_url(project, matrix_world, 0) + "?show=1", **HTMX)
    assert owned.status_code == 200
    assert 'data-testid="owner">Service Desk<' in _body(owned)
    assert 'data-testid="cell-form"' not in _body(owned)
    empty = client_as(lead).get(_cell_url(project, matrix_world, 1) + "?show=1", **HTMX)
    assert 'data-testid="unowned"' in _body(empty)
    assert 'data-testid="cell-form"' not in _body(empty)


def test_posting_a_team_sets_the_owner_and_sends_the_gaps_out_of_band(
    client_as, project, lead, matrix_world
):
    answer = client_as(lead).post(
        _cell_url(project, matrix_world, 1),
        {"team": matrix_world["app"].pk, "hours": "24x7", "p1_minutes": "20", "version": ""},
        **HTMX,
    )
    body = _body(answer)
    assert answer.status_code == 200
    assert 'data-testid="owner">App Support<' in body
    assert "P1 20 min" in body
    # The gap summary comes along, for htmx to swap where it stands on the page.
    summary_tag = re.search(r'<div id="support-gaps"[^>]*>', body)
    assert summary_tag is not None
    assert 'hx-swap-oob="true"' in summary_tag.group(0)
    cell = Ownership.objects.get(component=matrix_world["component"], tier=matrix_world["tiers"][1])
    assert (cell.team, cell.hours, cell.p1_minutes) == (matrix_world["app"], "24x7", 20)


def test_posting_no_team_clears_the_cell(client_as, project, lead, matrix_world):
    tier = matrix_world["tiers"][0]
    cell = Ownership.objects.get(component=matrix_world["component"], tier=tier)
    answer = client_as(lead).post(
        _cell_url(project, matrix_world, 0),
        {"team": "", "hours": "business", "version": version_of(cell)},
        **HTMX,
    )
    assert answer.status_code == 200
    assert 'data-testid="unowned"' in _body(answer)
    assert 'id="support-gaps"' in _body(answer)
    assert not Ownership.objects.filter(component=matrix_world["component"], tier=tier).exists()


@pytest.mark.parametrize(
    ("minutes", "error"),
    [
        ("0", "greater than or equal to 1"),
        ("99999999", "less than or equal to 43200"),
        ("abc", "Enter a whole number"),
    ],
)
@pytest.mark.parametrize(("htmx", "status"), [(True, 200), (False, 400)])
def test_invalid_minutes_answer_the_form_with_the_error_and_write_nothing(
    client_as, project, lead, matrix_world, minutes, error, htmx, status
):
    before = _snapshot()
    answer = client_as(lead).post(
        _cell_url(project, matrix_world, 1),
        {"team": matrix_world["app"].pk, "hours": "business", "p1_minutes": minutes},
        **(HTMX if htmx else {}),
    )
    assert answer.status_code == status
    assert 'data-testid="cell-form"' in _body(answer)
    assert error in _body(answer)
    assert _snapshot() == before


def test_a_cell_changed_after_the_form_was_read_is_refused_in_the_form(
    client_as, project, lead, contributor, matrix_world
):
    client = client_as(lead)
    component, tier = matrix_world["component"], matrix_world["tiers"][0]
    read = Ownership.objects.get(component=component, tier=tier)
    seen = version_of(read)
    assert f'value="{seen}"' in _body(client.get(_cell_url(project, matrix_world, 0), **HTMX))
    # Someone else gives the cell to App Support meanwhile.
    _set_cell(project, component, tier, matrix_world["app"], contributor, p1_minutes=25)
    before = _snapshot()
    answer = client.post(
        _cell_url(project, matrix_world, 0),
        {"team": matrix_world["desk"].pk, "hours": "24x7", "p1_minutes": "10", "version": seen},
        **HTMX,
    )
    body = _body(answer)
    assert answer.status_code == 200  # htmx swaps only 2xx
    assert 'data-testid="cell-form"' in body
    form = body[body.index('data-testid="cell-form"') :]
    assert "This was changed by" in form
    assert "after you opened the form" in form
    assert _snapshot() == before
    cell = Ownership.objects.get(component=component, tier=tier)
    assert (cell.team, cell.p1_minutes) == (matrix_world["app"], 25)


def test_a_cell_set_by_someone_else_after_the_form_was_read_is_refused(
    client_as, project, lead, contributor, matrix_world
):
    """The form read an empty cell (version ""): someone else's owner is not overwritten."""
    component, tier = matrix_world["component"], matrix_world["tiers"][2]
    _set_cell(project, component, tier, matrix_world["app"], contributor)
    before = _snapshot()
    answer = client_as(lead).post(
        _cell_url(project, matrix_world, 2),
        {"team": matrix_world["desk"].pk, "hours": "business", "version": ""},
        **HTMX,
    )
    assert answer.status_code == 200
    assert "App Support was made owner of Payments API at L3 Engineering / vendor" in _body(answer)
    assert _snapshot() == before


def test_without_htmx_a_valid_post_goes_back_to_the_component_in_the_matrix(
    client_as, project, lead, matrix_world
):
    answer = client_as(lead).post(
        _cell_url(project, matrix_world, 1),
        {"team": matrix_world["app"].pk, "hours": "business", "p1_minutes": "60", "version": ""},
    )
    assert answer.status_code == 302
    assert answer["Location"] == (
        f"{_url('support:matrix', project)}#component-{matrix_world['component'].pk}"
    )
    assert (
        Ownership.objects.get(
            component=matrix_world["component"], tier=matrix_world["tiers"][1]
        ).team
        == (matrix_world["app"])
    )


def test_without_htmx_the_cell_form_is_a_page_of_its_own(client_as, project, lead, matrix_world):
    page = client_as(lead).get(_cell_url(project, matrix_world, 1))
    assert page.status_code == 200
    assert "<html" in _body(page)
    assert 'data-testid="cell-form"' in _body(page)


# 3. Removing a team ----------------------------------------------------------------


@pytest.fixture
def holder(project, lead, ops):
    """The desk owns 2 cells, 1 escalation level and the catch-all; App Support is its
    possible successor."""
    component = services.component_save(
        component=Component(project=project, name="Payments API"), by=lead
    )
    tiers = list(Tier.objects.filter(project=project))
    desk = services.team_save(
        team=SupportTeam(project=project, name="Service Desk", phone="+44 20 7946 0000"),
        members=[ops],
        by=lead,
    )
    app = services.team_save(
        team=SupportTeam(project=project, name="App Support", phone="+44 20 7946 1111"),
        members=[ops],
        by=lead,
    )
    _set_cell(project, component, tiers[0], desk, lead)
    _set_cell(project, component, tiers[1], desk, lead)
    _set_cell(project, component, tiers[2], app, lead)
    level = services.level_save(level=EscalationLevel(project=project, team=desk), by=lead)
    services.catch_all_set(project=project, team=desk, by=lead)
    return {"desk": desk, "app": app, "level": level, "component": component}


def test_the_remove_page_names_what_the_team_owns(client_as, project, lead, holder):
    page = client_as(lead).get(_url("support:team-remove", project, holder["desk"].pk))
    assert page.status_code == 200
    assert (
        "Service Desk owns 2 cells of the matrix, 1 escalation level and the catch-all."
        in _body(page)
    )
    assert 'name="successor"' in _body(page)


def test_removing_a_team_that_owns_something_without_a_successor_is_refused(
    client_as, project, lead, holder
):
    before = _snapshot()
    answer = client_as(lead).post(
        _url("support:team-remove", project, holder["desk"].pk), {"confirm": "1"}
    )
    assert answer.status_code == 400
    assert re.search(r'<select class="form-select is-invalid" name="successor"', _body(answer))
    assert _snapshot() == before


def test_the_refusal_to_remove_a_team_without_a_successor_says_why(
    client_as, project, lead, holder
):
    answer = client_as(lead).post(
        _url("support:team-remove", project, holder["desk"].pk), {"confirm": "1"}
    )
    assert answer.status_code == 400
    assert "nothing may be left without owner" in _body(answer)


def test_removing_a_team_with_a_successor_hands_over_everything_it_owned(
    client_as, project, lead, holder
):
    desk, app = holder["desk"], holder["app"]
    answer = client_as(lead).post(
        _url("support:team-remove", project, desk.pk), {"confirm": "1", "successor": app.pk}
    )
    assert answer.status_code == 302
    assert answer["Location"] == _url("support:teams", project)
    assert not SupportTeam.objects.filter(pk=desk.pk).exists()
    assert set(Ownership.objects.filter(project=project).values_list("team", flat=True)) == {app.pk}
    assert Ownership.objects.filter(team=app).count() == 3
    holder["level"].refresh_from_db()
    assert holder["level"].team == app
    assert SupportSettings.objects.get(project=project).catch_all == app


def test_the_edit_page_s_remove_button_only_asks_the_question(client_as, project, lead, holder):
    client = client_as(lead)
    edit = _body(client.get(_url("support:team-edit", project, holder["desk"].pk)))
    remove_url = _url("support:team-remove", project, holder["desk"].pk)
    assert f'action="{remove_url}"' in edit
    assert "Remove team…" in edit
    before = _snapshot()
    answer = client.post(remove_url, {})
    assert answer.status_code == 200
    assert "Remove Service Desk?" in _body(answer)
    assert "owns 2 cells of the matrix" in _body(answer)
    assert "is-invalid" not in _body(answer)  # a question, not an error
    assert _snapshot() == before


# 4. Escalation ---------------------------------------------------------------------


@pytest.fixture
def path_of_three(project, lead, ops):
    desk = services.team_save(
        team=SupportTeam(project=project, name="Service Desk", phone="+44 20 7946 0000"),
        members=[ops],
        by=lead,
    )
    app = services.team_save(
        team=SupportTeam(project=project, name="App Support", phone="+44 20 7946 1111"),
        members=[ops],
        by=lead,
    )
    first = services.level_save(level=EscalationLevel(project=project, team=desk), by=lead)
    second = services.level_save(
        level=EscalationLevel(project=project, team=app, after_minutes=30), by=lead
    )
    third = services.level_save(
        level=EscalationLevel(project=project, person=lead, after_minutes=60), by=lead
    )
    return [first, second, third]


def _order(levels) -> list[int]:
    return list(
        EscalationLevel.objects.filter(pk__in=[lv.pk for lv in levels])
        .order_by("position")
        .values_list("pk", flat=True)
    )


def test_moving_a_level_with_htmx_answers_the_paths_in_their_new_order(
    client_as, project, lead, path_of_three
):
    first, second, third = path_of_three
    answer = client_as(lead).post(
        _url("support:level-move", project, first.pk), {"direction": "down"}, **HTMX
    )
    body = _body(answer)
    assert answer.status_code == 200
    assert body.lstrip().startswith('<div id="paths">')
    shown = [int(pk) for pk in re.findall(r'<li class="list-group-item" id="level-(\d+)"', body)]
    assert shown == [second.pk, first.pk, third.pk]
    assert _order(path_of_three) == [second.pk, first.pk, third.pk]


def test_moving_a_level_without_htmx_goes_back_to_the_escalation_page(
    client_as, project, lead, path_of_three
):
    first, second, third = path_of_three
    answer = client_as(lead).post(
        _url("support:level-move", project, third.pk), {"direction": "up"}
    )
    assert answer.status_code == 302
    assert answer["Location"] == f"{_url('support:escalation', project)}#level-{third.pk}"
    assert _order(path_of_three) == [first.pk, third.pk, second.pk]


@pytest.mark.parametrize("htmx", [True, False])
def test_a_bad_direction_is_refused_and_nothing_moves(
    client_as, project, lead, path_of_three, htmx
):
    before = _snapshot()
    client = client_as(lead)
    answer = client.post(
        _url("support:level-move", project, path_of_three[1].pk),
        {"direction": "sideways"},
        **(HTMX if htmx else {}),
    )
    if htmx:
        assert answer.status_code == 200
        assert "Move a level up or down." in _body(answer)
        assert 'id="paths"' in _body(answer)
    else:
        assert answer.status_code == 302
        assert "Move a level up or down." in _body(client.get(answer["Location"]))
    assert _snapshot() == before


def test_adding_a_level_from_the_hypercare_path_preselects_it(client_as, project, lead):
    page = client_as(lead).get(_url("support:level-add", project) + "?path=hypercare")
    assert page.status_code == 200
    selected = re.findall(r'<option value="(\w+)"[^>]*\bselected\b', _body(page))
    assert "hypercare" in selected
    assert "standard" not in selected


def test_a_level_naming_neither_a_team_nor_a_person_is_refused(client_as, project, lead):
    before = _snapshot()
    answer = client_as(lead).post(
        _url("support:level-add", project), {"path": "standard", "after_minutes": "30"}
    )
    assert answer.status_code == 400
    assert "Name the team or the person" in _body(answer)
    assert _snapshot() == before


# 5. Who do I call? -----------------------------------------------------------------


@pytest.fixture
def full(project, lead, ops):
    return model_fully(project, lead, ops)


def _who(client, project, **query):
    return client.get(_url("support:who", project), query)


def _section(body: str, testid: str) -> str:
    start = body.index(f'data-testid="{testid}"')
    return body[start : body.index("</ol>", start)]


def test_who_lists_the_owners_tier_by_tier_then_the_escalation_path(client_as, project, lead, full):
    api = full["components"][0]
    page = _who(client_as(lead), project, component=api.pk, priority="P1")
    assert page.status_code == 200
    body = _body(page)
    owners = _section(body, "who-owners")
    steps = [owners.index(tier.name) for tier in full["tiers"]]
    assert steps == sorted(steps)  # L1, then L2, then L3
    first_owner = owners[: owners.index(full["tiers"][1].name)]
    assert "Service desk" in first_owner
    assert "+44 20 7946 0000" in first_owner
    assert "responds within 15 min" in first_owner
    assert "responds within 30 min" in owners
    assert "App support" in owners
    escalation = _section(body, "who-escalation")
    items = escalation.split("<li ")[1:]
    assert [f"Level {n}" in item for n, item in enumerate(items, start=1)] == [True] * 3
    assert "Service desk" in items[0]
    assert "App support" in items[1]
    # Level 3 is called at once for P1 (on_priority P1); the others are not.
    assert "call now for P1" in items[2]
    assert not any("call now" in item for item in items[:2])
    assert "hypercare path" not in body


def test_a_lower_priority_does_not_call_the_p1_level_at_once(client_as, project, lead, full):
    page = _who(client_as(lead), project, component=full["components"][0].pk, priority="P3")
    assert page.status_code == 200
    assert "call now" not in _body(page)


def test_a_tier_without_an_owner_falls_to_the_catch_all(client_as, project, lead, full):
    api, tier = full["components"][0], full["tiers"][1]
    cell = Ownership.objects.get(component=api, tier=tier)
    services.cell_set(
        project=project,
        component=api,
        tier=tier,
        values=None,
        by=lead,
        seen_version=version_of(cell),
    )
    owners = _section(_body(_who(client_as(lead), project, component=api.pk)), "who-owners")
    items = owners.split("<li ")[1:]
    assert f"No owner at {tier.name}: the catch-all owner takes it." in items[1]
    assert "Service desk" in items[1]  # the catch-all team
    assert "+44 20 7946 0000" in items[1]


def test_in_hypercare_the_hypercare_path_is_used(client_as, project, lead, ops, full):
    Project.objects.filter(pk=project.pk).update(phase="hypercare")
    body = _body(_who(client_as(lead), project, component=full["components"][0].pk))
    assert "hypercare path" in body
    escalation = _section(body, "who-escalation")
    assert escalation.count("<li ") == 1
    assert lead.display_name in escalation
    assert ops.display_name not in escalation  # the standard path's level 3


def test_an_unknown_component_is_a_form_error(client_as, project, lead, full):
    other = factories.ProjectFactory()
    stranger = Component.objects.create(project=other, name="Elsewhere")
    for pk in (stranger.pk, 999999):
        page = _who(client_as(lead), project, component=pk)
        assert page.status_code == 400
        assert "Select a valid choice" in _body(page)
        assert 'data-testid="who-answer"' not in _body(page)


def test_with_no_components_there_is_no_one_to_call(client_as, project, lead):
    page = _who(client_as(lead), project)
    assert page.status_code == 200
    assert "No components are in scope yet, so there is no one to call." in _body(page)


# 6. Gaps ---------------------------------------------------------------------------


def test_the_gaps_page_lists_blocking_and_advisory_gaps_with_links_to_fix_them(
    client_as, project, lead, ops
):
    component = services.component_save(
        component=Component(project=project, name="Payments API"), by=lead
    )
    tiers = list(Tier.objects.filter(project=project))
    desk = services.team_save(
        team=SupportTeam(
            project=project, name="Service Desk", phone="+44 20 7946 0000", in_scope="Triage."
        ),
        members=[ops],
        by=lead,
    )
    _set_cell(project, component, tiers[0], desk, lead, p1_minutes=None)
    services.level_save(level=EscalationLevel(project=project, team=desk), by=lead)
    body = _body(client_as(lead).get(_url("support:gaps", project)))
    blocking = body[
        body.index('data-testid="blocking-gaps"') : body.index(
            "</ul>", body.index('data-testid="blocking-gaps"')
        )
    ]
    advisory = body[body.index('data-testid="advisory-gaps"') :]
    matrix = _url("support:matrix", project)
    teams = _url("support:teams", project)
    escalation = _url("support:escalation", project)
    assert f'href="{matrix}#component-{component.pk}"' in blocking
    assert f"Payments API has no owner at {tiers[1].name} and {tiers[2].name}." in blocking
    assert f'href="{teams}#catch-all"' in blocking
    assert f'href="{escalation}#path-hypercare"' in advisory
    assert "There is no hypercare escalation path" in advisory
    # A normal component's missing P1 target is worth a decision, not a blocker.
    assert f"Payments API has no P1 response target at {tiers[0].name}." in advisory
    assert 'data-testid="no-gaps"' not in body


def test_a_complete_model_has_no_gaps(client_as, project, lead, full):
    body = _body(client_as(lead).get(_url("support:gaps", project)))
    assert 'data-testid="no-gaps"' in body
    assert 'data-testid="blocking-gaps"' not in body
    assert 'data-testid="advisory-gaps"' not in body


# 7. A closed transition ------------------------------------------------------------


def _edit_link_prefixes(project: Project) -> list[str]:
    """The start of every edit URL of this support model ("/…/p/1/components/add/")."""
    base = _url("support:matrix", project)
    return [
        _url("support:component-add", project),
        _url("support:import", project),
        _url("support:team-add", project),
        _url("support:level-add", project),
        _url("support:tier-add", project),
        _url("support:catch-all", project),
        f"{base}cell/",
        f"{base}components/",
        f"{base}tiers/",
        f"{base}teams/",  # team-edit, team-remove (the list itself is followed by '"')
        f"{base}escalation/",  # level-edit, level-move
    ]


@pytest.mark.parametrize("phase", ["bau", "cancelled"])
def test_a_closed_transition_reads_without_any_way_to_edit(client_as, project, lead, ops, phase):
    full = model_fully(project, lead, ops)
    Project.objects.filter(pk=project.pk).update(phase=phase)
    client = client_as(lead)
    api, tier = full["components"][0], full["tiers"][0]
    pages = [
        _url("support:matrix", project),
        _url("support:gaps", project),
        _url("support:teams", project),
        _url("support:escalation", project),
        _url("support:who", project) + f"?component={api.pk}&priority=P1",
        _url("support:cell", project, api.pk, tier.pk) + "?show=1",
    ]
    for url in pages:
        page = client.get(url)
        assert page.status_code == 200, url
        body = _body(page)
        for text in ("Add component", "Set owner", ">Change<", "Add team", "Add level", "Remove"):
            assert text not in body, (url, text)
        for prefix in _edit_link_prefixes(project):
            # A link to the list pages themselves (`…/teams/"`) is reading, not editing.
            assert not re.search(re.escape(prefix) + r'[^"#]', body), (url, prefix)
        assert "hx-post" not in body, url


@pytest.mark.parametrize("phase", ["bau", "cancelled"])
def test_a_closed_transition_refuses_every_write(client_as, project, lead, ops, phase):
    full = model_fully(project, lead, ops)
    Project.objects.filter(pk=project.pk).update(phase=phase)
    client = client_as(lead)
    api, tier = full["components"][0], full["tiers"][0]
    desk, app = full["teams"]
    level = full["levels"][0]
    cell = Ownership.objects.get(component=api, tier=tier)
    before = _snapshot()
    writes = [
        (_url("support:cell", project, api.pk, tier.pk), {"team": app.pk, "hours": "business",
                                                         "version": version_of(cell)}),
        (_url("support:component-add", project), {"name": "Ledger v2", "kind": "database",
                                                  "criticality": "high"}),
        (_url("support:component-edit", project, api.pk), {"name": "Renamed"}),
        (_url("support:component-delete", project, api.pk), {}),
        (_url("support:team-add", project), {"name": "Vendor"}),
        (_url("support:team-remove", project, desk.pk), {"confirm": "1", "successor": app.pk}),
        (_url("support:catch-all", project), {"team": app.pk}),
        (_url("support:level-add", project), {"path": "standard", "team": app.pk}),
        (_url("support:level-move", project, level.pk), {"direction": "down"}),
        (_url("support:level-delete", project, level.pk), {}),
        (_url("support:tier-move", project, tier.pk), {"direction": "down"}),
    ]  # fmt: skip
    for url, data in writes:
        assert client.post(url, data).status_code == 403, url
        assert client.post(url, data, **HTMX).status_code == 403, url
    # Even the forms are not offered.
    assert client.get(_url("support:cell", project, api.pk, tier.pk), **HTMX).status_code == 403
    assert client.get(_url("support:component-add", project)).status_code == 403
    assert _snapshot() == before


# 8. No silent overwrite ------------------------------------------------------------


def test_a_stale_component_edit_answers_409_with_who_changed_it_and_keeps_my_input(
    client_as, project, lead, contributor
):
    component = services.component_save(
        component=Component(project=project, name="Payments API", criticality="normal"),
        by=lead,
    )
    url = _url("support:component-edit", project, component.pk)
    client = client_as(lead)
    seen = ComponentForm(instance=component).initial["version"]
    assert f'value="{seen}"' in _body(client.get(url))
    # A contributor saves a change after the lead opened the form.
    theirs = Component.objects.get(pk=component.pk)
    theirs.criticality = Criticality.HIGH
    services.component_save(component=theirs, by=contributor, seen_version=theirs.updated_at)
    before = _snapshot()
    answer = client.post(
        url,
        {
            "version": seen,
            "name": "Payments gateway",
            "kind": "application",
            "criticality": "critical",
            "description": "My careful words.",
        },
    )
    body = _body(answer)
    assert answer.status_code == 409
    assert "This was changed by" in body
    assert contributor.display_name in body or contributor.email in body
    assert "theirs “High”, yours “Critical”" in body
    # The lead's input is kept, so nothing typed is lost...
    assert 'value="Payments gateway"' in body
    assert "My careful words." in body
    # ... and the form now carries the new version: saving again is deliberate.
    current = Component.objects.get(pk=component.pk)
    assert f'value="{version_of(current)}"' in body
    assert _snapshot() == before
    assert (current.name, current.criticality) == ("Payments API", "high")


def test_saving_again_after_a_conflict_is_accepted(client_as, project, lead, contributor):
    component = services.component_save(
        component=Component(project=project, name="Payments API"), by=lead
    )
    url = _url("support:component-edit", project, component.pk)
    seen = ComponentForm(instance=component).initial["version"]
    theirs = Component.objects.get(pk=component.pk)
    theirs.criticality = Criticality.HIGH
    services.component_save(component=theirs, by=contributor, seen_version=theirs.updated_at)
    data = {"name": "Payments API", "kind": "application", "criticality": "critical"}
    client = client_as(lead)
    assert client.post(url, {**data, "version": seen}).status_code == 409
    again = client.post(
        url, {**data, "version": version_of(Component.objects.get(pk=component.pk))}
    )
    assert again.status_code == 302
    assert Component.objects.get(pk=component.pk).criticality == "critical"


def test_a_refusal_goes_back_to_the_support_page_it_came_from(client_as, lead, project):
    """`project_view` sends a refusal back to the page of the transition it came from,
    whichever app's page it is (a URL naming the transition), not to the overview."""
    teams = _url("support:teams", project)
    other = factories.ProjectFactory()
    foreign = services.team_save(
        team=SupportTeam(project=other, name="Elsewhere"), members=[], by=other.lead
    )
    before = _snapshot()
    response = client_as(lead).post(
        _url("support:catch-all", project),
        {"team": foreign.pk},
        HTTP_REFERER=f"http://testserver{teams}",
    )
    assert (response.status_code, response["Location"]) == (302, teams)
    assert _snapshot() == before
    # A page of another transition is not "back": the transition's own page is.
    response = client_as(lead).post(
        _url("support:catch-all", project),
        {"team": foreign.pk},
        HTTP_REFERER=f"http://testserver{_url('support:teams', other)}",
    )
    assert response["Location"] == project.get_absolute_url()


# Bad input found in review: each answers with a clear message and writes nothing --------


@pytest.mark.parametrize("htmx", [True, False])
def test_a_garbled_cell_version_is_refused_not_a_server_error(
    client_as, project, lead, matrix_world, htmx
):
    before = _snapshot()
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    response = client_as(lead).post(
        _cell_url(project, matrix_world, 0),
        {"team": matrix_world["app"].pk, "hours": "business", "version": "garbage"},
        **headers,
    )
    assert response.status_code == (200 if htmx else 400)
    assert "reload the page" in _body(response)
    assert _snapshot() == before


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("support:component-add", {"name": "payments api", "kind": "application"}),
        ("support:team-add", {"name": "SERVICE DESK"}),
        ("support:tier-add", {"name": "l1 service DESK"}),
    ],
)
def test_a_name_already_used_is_a_field_error_with_the_input_kept(
    client_as, project, lead, matrix_world, name, data
):
    data = {"criticality": "normal", **data}
    before = _snapshot()
    response = client_as(lead).post(_url(name, project), data)
    assert response.status_code == 400
    assert "This transition already has a" in _body(response)
    assert f'value="{data["name"]}"' in _body(response)
    assert _snapshot() == before


def test_team_members_changed_by_someone_else_are_not_silently_undone(
    client_as, project, lead, contributor, ops, matrix_world
):
    desk = matrix_world["desk"]
    from apps.support.forms import TeamForm

    read = TeamForm(instance=desk, project=project).initial  # the form as lead opened it
    services.team_save(team=desk, members=[ops, contributor], by=contributor)  # meanwhile

    data = {
        "name": "Service Desk",
        "phone": "+44 20 7946 0000",
        "version": version_of(SupportTeam.objects.get(pk=desk.pk)),
        "members_seen": read["members_seen"],
        "members": [ops.pk, lead.pk],  # lead adds themself, not knowing contributor was added
    }
    response = client_as(lead).post(_url("support:team-edit", project, desk.pk), data)
    assert response.status_code == 409
    assert "were changed after you opened the form" in _body(response)
    assert set(desk.members.values_list("pk", flat=True)) == {ops.pk, contributor.pk}
    # The form now carries the members as they stand: saving again is deliberate.
    again = {**data, "members_seen": response.context["form"].data["members_seen"]}
    assert (
        client_as(lead).post(_url("support:team-edit", project, desk.pk), again).status_code == 302
    )
    assert set(desk.members.values_list("pk", flat=True)) == {ops.pk, lead.pk}


def test_a_team_removed_meanwhile_is_refused_with_a_reason(client_as, project, lead, matrix_world):
    app = matrix_world["app"]
    services.team_remove(team=app, successor=None, by=lead)  # while the cell form was open
    before = _snapshot()
    response = client_as(lead).post(
        _cell_url(project, matrix_world, 1),
        {"team": app.pk, "hours": "business", "version": ""},
        HTTP_HX_REQUEST="true",
    )
    # The form's choices no longer offer it: a clear field error, nothing written.
    assert "Select a valid choice" in _body(response)
    assert _snapshot() == before
    with pytest.raises(services.ActionRefused, match="was removed meanwhile"):
        services.cell_set(
            project=project,
            component=matrix_world["component"],
            tier=matrix_world["tiers"][1],
            values=_cell_values(app),
            by=lead,
            seen_version="",
        )


def test_who_do_i_call_without_tiers_names_the_catch_all(client_as, project, lead, matrix_world):
    for tier in Tier.objects.filter(project=project):
        services.tier_delete(tier=tier, by=lead)
    services.catch_all_set(project=project, team=matrix_world["desk"], by=lead)
    response = client_as(lead).get(
        _url("support:who", project), {"component": matrix_world["component"].pk}
    )
    assert response.status_code == 200
    assert "No support tiers: the catch-all owner takes it." in _body(response)
    assert "Service Desk" in _body(response)


def test_who_do_i_call_ignores_unrelated_parameters(client_as, project, lead, matrix_world):
    response = client_as(lead).get(_url("support:who", project), {"utm_source": "pager"})
    assert response.status_code == 200
    assert "This field is required" not in _body(response)


def test_a_person_who_left_is_named_without_their_address(
    client_as, project, lead, contributor, matrix_world
):
    from apps.projects import services as project_services
    from apps.projects.models import Membership

    services.level_save(
        level=EscalationLevel(project=project, position=0, person=contributor), by=lead
    )
    project_services.membership_remove(
        membership=Membership.objects.get(project=project, user=contributor), by=lead
    )
    who = client_as(lead).get(
        _url("support:who", project), {"component": matrix_world["component"].pk}
    )
    assert "is no longer a member of this transition" in _body(who)
    assert contributor.email not in _body(who)
    escalation = client_as(lead).get(_url("support:escalation", project))
    assert "who is no longer a member of this transition" in _body(escalation)
    assert contributor.email not in _body(escalation)


def test_the_admin_shows_the_support_model_read_only(client, matrix_world):
    from django.urls import reverse

    client.force_login(factories.UserFactory(is_staff=True, is_superuser=True))
    component = matrix_world["component"]
    assert client.get(reverse("admin:support_component_changelist")).status_code == 200
    assert client.get(reverse("admin:support_component_add")).status_code == 403
    change = client.get(reverse("admin:support_component_change", args=[component.pk]))
    assert change.status_code == 200
    assert 'name="_save"' not in _body(change)
    assert (
        client.post(
            reverse("admin:support_component_delete", args=[component.pk]), {"post": "yes"}
        ).status_code
        == 403
    )
    assert Component.objects.filter(pk=component.pk).exists()
