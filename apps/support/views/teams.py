"""Teams, their scope in words, their members, and the catch-all owner."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Count, Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.projects.guard import ActionRefused
from apps.projects.models import member_users
from apps.projects.pages import form_page
from apps.support import permissions, services
from apps.support.forms import CatchAllForm, TeamForm, TeamRemoveForm
from apps.support.models import SupportSettings, SupportTeam
from apps.support.views.matrix import gap_sentences_by_anchor, gate_result

edit = project_view(permissions.can_edit_support)
# Where the forms' way back goes, as they name it.
BACK = "Support model"


def _teams_url(access: ProjectAccess, anchor: str = "") -> str:
    url = reverse("support:teams", args=[access.project.pk])
    return f"{url}#{anchor}" if anchor else url


@project_view()
@require_http_methods(["GET"])
def team_list(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """Each team: how to reach it, who is in it, what it owns, its scope in words."""
    project = access.project
    teams = list(
        SupportTeam.objects.filter(project=project)
        .annotate(
            cells=Count("ownerships", distinct=True),
            levels=Count("escalation_levels", distinct=True),
        )
        .prefetch_related(Prefetch("members", queryset=member_users(project)))
    )
    by_anchor = gap_sentences_by_anchor(gate_result(access))
    for team in teams:
        team.gaps = by_anchor.get(f"team-{team.pk}", [])  # type: ignore[attr-defined]
    settings = SupportSettings.objects.filter(project=project).select_related("catch_all").first()
    catch_all = settings.catch_all if settings else None
    return render(
        request,
        "support/teams.html",
        {
            "access": access,
            "project": project,
            "can_edit": permissions.can_edit_support(access),
            "teams": teams,
            "catch_all": catch_all,
            "catch_all_form": CatchAllForm(
                project=project, initial={"team": catch_all.pk if catch_all else None}
            ),
        },
    )


@edit
@require_http_methods(["GET", "POST"])
def team_create(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    team = SupportTeam(project=access.project)
    form = TeamForm(request.POST or None, instance=team, project=access.project)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.team_save(
            team=f.instance, members=list(f.cleaned_data["members"]), by=request.user
        ),
        title="Add a team",
        intro="A team that supports part of this transition: the service desk, an "
        "application support team, engineering, a vendor.",
        back_url=_teams_url(access),
        saved=lambda: f"Team “{team.name}” added.",
    )


@edit
@require_http_methods(["GET", "POST"])
def team_edit(request: AuthenticatedRequest, access: ProjectAccess, team_id: int) -> HttpResponse:
    team = get_object_or_404(SupportTeam, pk=team_id, project=access.project)
    form = TeamForm(request.POST or None, instance=team, project=access.project)
    return form_page(
        request,
        access,
        back_label=BACK,
        form=form,
        save=lambda f: services.team_save(
            team=f.instance,
            members=list(f.cleaned_data["members"]),
            by=request.user,
            seen_version=f.seen_version,
            members_seen=f.cleaned_data["members_seen"],
        ),
        title=f"Edit {team.name}",
        back_url=_teams_url(access, f"team-{team.pk}"),
        saved=lambda: f"Team “{team.name}” saved.",
        delete_url=reverse("support:team-remove", args=[access.project.pk, team.pk]),
        delete_label="Remove team…",
    )


@edit
@require_http_methods(["GET", "POST"])
def team_remove(request: AuthenticatedRequest, access: ProjectAccess, team_id: int) -> HttpResponse:
    """GET asks who takes over what the team owns; POST removes it (refused without a
    successor while it owns anything)."""
    team = get_object_or_404(SupportTeam, pk=team_id, project=access.project)
    holdings = team.holdings()
    # The edit page's remove button posts here without a successor: show the question.
    asked = request.method == "POST" and "confirm" in request.POST
    form = TeamRemoveForm(request.POST if asked else None, team=team)
    status = 200
    if asked:
        if form.is_valid() and any(holdings.values()) and not form.cleaned_data["successor"]:
            form.add_error(
                "successor", "Choose the team that takes over: nothing may be left without owner."
            )
        if form.is_valid():
            successor = form.cleaned_data["successor"]
            services.team_remove(team=team, successor=successor, by=request.user)
            taken = f" {successor.name} takes over what it owned." if successor else ""
            messages.success(request, f"Team “{team.name}” removed.{taken}")
            return redirect(_teams_url(access))
        status = 400
    return render(
        request,
        "support/team_remove.html",
        {
            "access": access,
            "project": access.project,
            "team": team,
            "form": form,
            "owns_anything": any(holdings.values()),
            "holdings": team.holdings_sentence(holdings),
        },
        status=status,
    )


@require_POST
@edit
def catch_all(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    form = CatchAllForm(request.POST, project=access.project)
    if not form.is_valid():
        raise ActionRefused("Choose one of this transition's teams as the catch-all owner.")
    team = form.cleaned_data["team"]
    services.catch_all_set(project=access.project, team=team, by=request.user)
    if team is None:
        messages.warning(request, "There is no catch-all owner now: that is a gap before go-live.")
    else:
        messages.success(request, f"{team.name} now takes anything no one else owns.")
    return redirect(_teams_url(access, "catch-all"))
