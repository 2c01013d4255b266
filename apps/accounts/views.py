"""Sign-in pages around Django's auth views: the lockout page, and the password
views that write their event to the auth log."""

from __future__ import annotations

from typing import Any

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse_lazy

from apps.accounts import auth_log, forms, throttle

# 429 Too Many Requests: what the answer is, for people and for scripts alike.
LOCKED_OUT_STATUS = 429


def locked_out(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The login page with the lockout message (AXES_LOCKOUT_CALLABLE).

    It is the same page for an account that exists and one that does not, and it
    does not repeat the email that was typed: it says when to try again, nothing
    about the account.
    """
    context = {
        "form": forms.EmailAuthenticationForm(request),
        "locked_out": True,
        "locked_until": throttle.locked_until(request, credentials),
        "failure_limit": settings.LOGIN_FAILURE_LIMIT,
    }
    return render(request, "registration/login.html", context, status=LOCKED_OUT_STATUS)


class PasswordChangeView(auth_views.PasswordChangeView):
    success_url = reverse_lazy("accounts:password-change-done")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        auth_log.record("password_changed", self.request, account=form.user.get_username())
        return response


class PasswordResetView(auth_views.PasswordResetView):
    """Asks for an email and always answers the same: sent if it has an account.

    The email is sent only to an active account with a usable password (Django's
    PasswordResetForm); the page and the redirect are the same either way.
    """

    success_url = reverse_lazy("accounts:password-reset-done")
    subject_template_name = "emails/password_reset_subject.txt"
    email_template_name = "emails/password_reset.txt"
    html_email_template_name = "emails/password_reset.html"

    def form_valid(self, form: Any) -> HttpResponse:
        # Read at request time: links in the email point at the public address,
        # never at whatever Host header the request came with.
        self.extra_email_context = {
            "base_url": settings.BASE_URL,
            "valid_hours": settings.PASSWORD_RESET_TIMEOUT // 3600,
        }
        auth_log.record(
            "password_reset_requested", self.request, account=form.cleaned_data["email"]
        )
        return super().form_valid(form)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    success_url = reverse_lazy("accounts:password-reset-complete")

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        account = form.user.get_username()
        # Whoever reset the password proved they own the mailbox: the failures for
        # the account (perhaps someone else guessing) stop counting, from any address;
        # an address's failures for other accounts still count.
        AxesProxyHandler.reset_attempts(username=account)
        auth_log.record("password_reset_completed", self.request, account=account)
        return response
