"""A digest as an email: plain text and HTML from templates, with the list headers.

The templates (`templates/reminders/emails/digest.{txt,html}`) lay out the email:
greeting, sections, transitions, footer. Each item's line is built here, in
Python, and each transition's lines reach the templates joined: a sweep writes some
hundred thousand lines, and a template loop with a dozen variables and filters per
line made rendering the largest part of the sweep (bench/reminders.py: 2,000
digests, 132,000 lines, rendered in ~1.3 s this way against ~2 s and more per line
in the templates).

An email lists at most `MAX_LINES` items, overdue and escalated first; the rest are
counted, with the link to the person's Reminders page, which lists them all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from html import escape
from itertools import groupby

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from apps.reminders import unsubscribe
from apps.reminders.digest import Digest, Line

TEXT = "reminders/emails/digest.txt"
HTML = "reminders/emails/digest.html"
MAX_LINES = 50


@dataclass(frozen=True)
class Group:
    """One transition's lines, already joined: `text` for the plain part, `html` a
    run of <li> elements (every value in it escaped)."""

    project_name: str
    text: str
    html: SafeString


@dataclass(frozen=True)
class Section:
    title: str
    groups: list[Group]


def message_for(digest: Digest, *, today: dt.date) -> EmailMultiAlternatives:
    base_url = settings.BASE_URL
    unsubscribe_url = unsubscribe.url_for(digest.recipient_id)
    shown = digest.ordered[:MAX_LINES]
    sections = [
        Section("Overdue", _groups([li for li in shown if li.overdue], base_url)),
        Section("Due soon", _groups([li for li in shown if not li.overdue], base_url)),
    ]
    context = {
        "digest": digest,
        "person": digest.person,
        "sections": [section for section in sections if section.groups],
        "more": len(digest.ordered) - len(shown),
        "reminders_url": base_url + reverse("reminders:mine"),
        "unsubscribe_url": unsubscribe_url,
    }
    message = EmailMultiAlternatives(
        subject=digest.subject,
        body=get_template(TEXT).render(context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[digest.person.email],
        headers={
            # RFC 2369 and RFC 8058: mail clients show an "Unsubscribe" button that
            # POSTs "List-Unsubscribe=One-Click" to the link, no login, no page.
            "List-Unsubscribe": f"<{unsubscribe_url}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
            # RFC 3834: no out-of-office replies to a machine.
            "Auto-Submitted": "auto-generated",
        },
    )
    message.attach_alternative(get_template(HTML).render(context), "text/html")
    return message


def _groups(lines: list[Line], base_url: str) -> list[Group]:
    groups: list[Group] = []
    for (_, project_name), group in groupby(
        lines, key=lambda line: (line.item.project_id, line.item.project_name)
    ):
        texts, htmls = [], []
        for line in group:
            link = base_url + line.item.url
            texts.append(_text(line, link))
            htmls.append(_html(line, link))
        groups.append(Group(project_name, "\n".join(texts), mark_safe("\n".join(htmls))))  # noqa: S308
    return groups


def _text(line: Line, link: str) -> str:
    mark = (
        f"[ESCALATED: {line.owner}'s, overdue more than {_days(line.escalate_after)}] "
        if line.escalated
        else ""
    )
    note = f"\n  Sent to you because {line.note}." if line.note else ""
    return f"- {mark}{line.item.title} ({line.when}){note}\n  {link}"


def _html(line: Line, link: str) -> str:
    mark = (
        f"<strong>Escalated</strong> ({escape(line.owner)}&rsquo;s, overdue more than "
        f"{_days(line.escalate_after)}): "
        if line.escalated
        else ""
    )
    note = f"<br><small>Sent to you because {escape(line.note)}.</small>" if line.note else ""
    # Every value interpolated is escaped; _groups marks the joined run safe.
    title = escape(line.item.title)
    return f'<li>{mark}<a href="{escape(link)}">{title}</a> ({line.when}){note}</li>'


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"
