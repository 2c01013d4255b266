import datetime as dt

import pytest

# A fixed day for every reminder test: a Wednesday, so a weekly digest is not due.
TODAY = dt.date(2026, 3, 18)
NOW = dt.datetime(2026, 3, 18, 7, 0, tzinfo=dt.UTC)


def days(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


@pytest.fixture(autouse=True)
def _reminder_settings(settings):
    settings.REMINDERS_DUE_SOON_DAYS = 3
    settings.REMINDERS_ESCALATE_AFTER_DAYS = 5
    settings.REMINDERS_MAX_ATTEMPTS = 3
    settings.REMINDERS_BATCH_SIZE = 200
    settings.BASE_URL = "https://transition.example.org"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
