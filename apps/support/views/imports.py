"""The CSV import of components and ownership, and its template file.

The import is all or nothing: the whole file is checked first (`imports.parse`), and
a file with any bad row is answered 400 with every problem listed and nothing
written; a good one is written in one `project_write` (`imports.apply`).

A request whose declared length is over the file limit (plus the multipart envelope)
is answered 413 before its body is read. `CsrfViewMiddleware` (and the NUL check in
`apps.core.middleware`) would read the whole body, writing the file to a temporary
file, before the view runs, so the view is exempt from them and checks its CSRF
token itself (`csrf_protect`) once the size is known to be acceptable, as Django's
documentation on upload handlers advises. The file's NULs are refused by
`imports.parse`; the form has no other field than the token.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from apps.core.forms import CrispyMixin
from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.support import imports, permissions, services
from apps.support.models import (
    MAX_RESPONSE_MINUTES,
    ComponentKind,
    Criticality,
    SupportTeam,
    Tier,
)

TEMPLATE_FILENAME = "support-import.csv"
# Example team names for a transition that has no team yet: the file must be edited
# before it imports (teams are added on the Teams page, not by the import).
PLACEHOLDER_TEAMS = ("Service desk team", "Application support team")
# Room for the multipart envelope around the file: boundaries, part headers, the
# CSRF token and a long file name.
ENVELOPE_BYTES = 64 * 1024
MAX_REQUEST_BYTES = imports.MAX_BYTES + ENVELOPE_BYTES
UNREADABLE = "The upload could not be read: choose the file and import it again."


class ImportForm(CrispyMixin, forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="UTF-8, comma or semicolon separated, at most 2 MiB and 2,000 rows.",
        error_messages={"empty": imports.EMPTY},
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,text/csv"}),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        # Refused on its declared size, before a byte of it is read.
        if upload.size > imports.MAX_BYTES:
            raise forms.ValidationError(imports.TOO_LARGE)
        return upload


def _names(access: ProjectAccess) -> tuple[list[str], list[str]]:
    """The transition's tier names (in order) and team names."""
    tiers = list(Tier.objects.filter(project=access.project).values_list("name", flat=True))
    teams = list(SupportTeam.objects.filter(project=access.project).values_list("name", flat=True))
    return tiers, teams


@csrf_exempt  # checked by `_import_checked` once the size is known: see the module
@project_view(permissions.can_edit_support)
@require_http_methods(["GET", "POST"])
def import_csv(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """GET: the form and the format; POST: import the file, or list why nothing was."""
    if request.method == "POST":
        length = _declared_length(request)
        if length is None:
            return _page(request, access, ImportForm(), imports.Rejected((UNREADABLE,)), 400)
        if length > MAX_REQUEST_BYTES:
            too_large = imports.Rejected((imports.TOO_LARGE,))
            return _page(request, access, ImportForm(), too_large, 413)
    return _import_checked(request, access)


@csrf_protect
def _import_checked(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    if request.method != "POST":
        return _page(request, access, ImportForm(), None, 200)
    form = ImportForm(request.POST, request.FILES)
    rejected: imports.Rejected | None = None
    if form.is_valid():
        tiers, teams = _names(access)
        result = imports.parse(
            form.cleaned_data["file"].read(),
            tiers=tiers,
            teams=teams,
            existing=access.project.support_components.values_list("name", flat=True),
        )
        if isinstance(result, imports.Rejected):
            rejected = result
        else:
            summary = imports.apply(project=access.project, plan=result, by=request.user)
            messages.success(request, summary.sentence())
            return redirect("support:matrix", access.project.pk)
    return _page(request, access, form, rejected, 400)


def _declared_length(request: AuthenticatedRequest) -> int | None:
    """The body's length as the request declares it: 0 when missing or not a number
    (as Django takes it: no body is read, and the form finds no file); None when
    negative, which Django's multipart parser answers with a 500."""
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return 0
    return None if length < 0 else length


def _page(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    form: ImportForm,
    rejected: imports.Rejected | None,
    status: int,
) -> HttpResponse:
    tiers, teams = _names(access)
    return render(
        request,
        "support/import.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "rejected": rejected,
            "tiers": tiers,
            "default_tiers": [name for name, _ in services.DEFAULT_TIERS],
            "teams": teams,
            "columns": imports.COLUMNS,
            "kinds": ComponentKind.labels,
            "criticalities": Criticality.labels,
            "max_rows": f"{imports.MAX_ROWS:,}",
            "max_minutes": f"{MAX_RESPONSE_MINUTES:,}",
        },
        status=status,
    )


@project_view()
@require_GET
def import_template(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """A CSV with the header and two example rows naming this transition's own tiers
    and teams, for every member (reading the format is not editing)."""
    tiers, teams = _names(access)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{TEMPLATE_FILENAME}"'
    # The byte order mark makes Excel read the file as UTF-8 (names with accents).
    response.write("\ufeff" + template_text(tiers, teams))
    return response


def template_text(tiers: Sequence[str], teams: Sequence[str]) -> str:
    """The template: the header and two example rows, one component at two tiers
    (two components at the one tier when there is only one)."""
    tiers = list(tiers) or [name for name, _ in services.DEFAULT_TIERS]
    teams = list(teams) or list(PLACEHOLDER_TEAMS)
    other_team = teams[1] if len(teams) > 1 else teams[0]
    first = ["Payments API", "Application", "Critical", tiers[0], teams[0], "24x7"]
    if len(tiers) > 1:
        second = ["Payments API", "Application", "Critical", tiers[1], other_team]
    else:
        second = ["Nightly settlement", "Batch job", "High", tiers[0], other_team]
    rows = [
        list(imports.COLUMNS),
        [*first, "15", "60", "240", "1440"],
        [*second, "business", "60", "240", "480", "2880"],
    ]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerows([[_safe(value) for value in row] for row in rows])
    return out.getvalue()


def _safe(value: str) -> str:
    """A name that starts like a formula, behind an apostrophe (`imports.parse` drops it),
    so that opening the file in a spreadsheet does not run it."""
    return f"'{value}" if value.startswith(imports.FORMULA_START) else value
