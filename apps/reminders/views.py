from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from apps.core.htmx import AuthenticatedRequest
from apps.projects.access import ProjectAccess, project_view
from apps.reminders import permissions, services
from apps.reminders import unsubscribe as links
from apps.reminders.forms import PreferenceForm
from apps.reminders.models import DigestLog, Frequency

HISTORY = 30
PAGE_SIZE = 50


@login_required
@require_http_methods(["GET", "POST"])
def my_reminders(request: AuthenticatedRequest) -> HttpResponse:
    """What my next digest lists now, how often I get it, and what was sent when."""
    user = request.user
    if request.method == "POST":
        form = PreferenceForm(request.POST)
        if form.is_valid():
            frequency = form.cleaned_data["frequency"]
            services.preference_set(user_id=user.pk, frequency=frequency)
            messages.success(request, _saved_message(frequency))
            return redirect("reminders:mine")
        status = 400
    else:
        form = PreferenceForm(initial={"frequency": services.frequency_of(user.pk)})
        status = 200
    today = timezone.localdate()
    digest, held_because = services.preview_for(user.pk, today=today)
    history = list(DigestLog.objects.filter(recipient=user).order_by("-digest_date")[:HISTORY])
    return render(
        request,
        "reminders/mine.html",
        {
            "form": form,
            "digest": digest,
            "held_because": held_because,
            "sections": [
                ("Overdue", digest.groups(overdue=True) if digest else []),
                ("Due soon", digest.groups(overdue=False) if digest else []),
            ],
            "history": history,
            "today": today,
        },
        status=status,
    )


def _saved_message(frequency: str) -> str:
    if frequency == Frequency.OFF:
        return (
            "Reminders are off: you will get no digest. Your items overdue for long "
            "are still listed to the transition's lead."
        )
    when = "every day" if frequency == Frequency.DAILY else "once a week, on Mondays"
    return f"Saved: you get a digest {when} when something is overdue or due soon."


@csrf_exempt  # the signed token is the credential; mail clients POST without a form (RFC 8058)
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    """GET asks to confirm; POST (the page's button, or a mail client's one-click) stops
    the reminders of the person the signed token names. No login needed."""
    try:
        user_id = links.user_id_from(token)
    except links.BadToken:
        return render(request, "reminders/unsubscribe_invalid.html", status=400)
    user = get_user_model().objects.filter(pk=user_id).first()
    if user is None:
        raise Http404("This unsubscribe link is for an account that no longer exists.")
    if request.method == "POST":
        services.preference_set(user_id=user.pk, frequency=Frequency.OFF)
        return render(request, "reminders/unsubscribe.html", {"person": user, "done": True})
    return render(request, "reminders/unsubscribe.html", {"person": user, "done": False})


@project_view(permissions.can_see_history)
@require_http_methods(["GET"])
def project_history(request: AuthenticatedRequest, access: ProjectAccess) -> HttpResponse:
    """The digests that listed this transition's items: to whom, when, sent or failed."""
    logs = (
        DigestLog.objects.filter(projects=access.project)
        .select_related("recipient")
        .order_by("-digest_date", "recipient__full_name", "pk")
    )
    page = Paginator(logs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "reminders/project_history.html",
        {"access": access, "project": access.project, "page": page},
    )
