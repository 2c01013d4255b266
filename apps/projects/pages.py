"""The add and edit page every app's forms use: a form saved through a service, a
refusal or an edit conflict shown with the form, the user's input kept.

Public (other apps import it, see the import contract in pyproject.toml).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render

from apps.core.concurrency import conflict_status
from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess
from apps.projects.guard import ActionRefused, EditConflict


def form_page(
    request: AuthenticatedRequest,
    access: ProjectAccess,
    *,
    form: Any,
    save: Callable[[Any], object],
    title: str,
    back_url: str,
    back_label: str,
    saved: Callable[[], str],
    done_url: Callable[[], str] | None = None,
    delete_url: str = "",
    delete_label: str = "",
    delete_confirm: str = "",
    intro: str = "",
    note: str = "",
) -> HttpResponse:
    """GET shows `form`; a valid POST calls `save(form)` and goes to `done_url()` (else
    `back_url`) with the `saved()` message. An invalid POST answers 400 with the errors;
    a stale one, or one a rule refused, 409 with why; the user's input kept and nothing
    written (the services raise inside `project_write`, which rolls back).

    `back_label` names where the way back goes ("Support model", "Runbooks"); `note`
    is a line under the title.
    """
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form)
            except EditConflict as conflict:
                form.show_conflict(conflict.messages, conflict.version)
                status = conflict_status(request)
            except ActionRefused as refused:
                for message in refused.messages:
                    form.add_error(None, message)
                status = conflict_status(request)
            else:
                messages.success(request, saved())
                return redirect(done_url() if done_url else back_url)
        else:
            status = 400
    return render(
        request,
        "components/form_page.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "title": title,
            "intro": intro,
            "back_url": back_url,
            "back_label": back_label,
            "delete_url": delete_url,
            "delete_label": delete_label,
            "delete_confirm": delete_confirm,
            "note": note,
        },
        status=status,
    )
