"""The one add/edit page every part of the support model uses: a form, saved through a
service, with the "no silent overwrite" conflict shown in place."""

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
    saved: Callable[[], str],
    delete_url: str = "",
    delete_label: str = "",
    delete_confirm: str = "",
    intro: str = "",
) -> HttpResponse:
    """GET shows `form`; a valid POST calls `save(form)` and goes to `back_url` with the
    `saved()` message; an invalid one answers 400 with the errors, a stale one or one a
    rule refused 409 with why (the user's input kept)."""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                save(form)
            except EditConflict as conflict:
                form.show_conflict(conflict.messages, conflict.version)
                status = conflict_status(request)
            except ActionRefused as refused:
                # A rule the form could not check (a name taken, a team removed
                # meanwhile): shown with the form, the user's input kept.
                for message in refused.messages:
                    form.add_error(None, message)
                status = conflict_status(request)
            else:
                messages.success(request, saved())
                return redirect(back_url)
        else:
            status = 400
    return render(
        request,
        "support/form.html",
        {
            "access": access,
            "project": access.project,
            "form": form,
            "title": title,
            "intro": intro,
            "back_url": back_url,
            "delete_url": delete_url,
            "delete_label": delete_label,
            "delete_confirm": delete_confirm,
        },
        status=status,
    )
