"""Personas for one project: lead, contributor, ops, viewer, and an outsider."""

import os
import tempfile
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.test import Client

from apps.projects.models import Project, Role
from tests import factories

# Tests speak plain HTTP, to the test client and to the live server of the browser
# tests. Set before any request handler exists: the live server builds its
# middleware once per session, before function-scoped fixtures run.
django_settings.SECURE_SSL_REDIRECT = False
django_settings.SESSION_COOKIE_SECURE = False
django_settings.CSRF_COOKIE_SECURE = False
# A browser drops a `__Host-` cookie that is not Secure: plain names over plain HTTP.
django_settings.SESSION_COOKIE_NAME = "sessionid"
django_settings.CSRF_COOKIE_NAME = "csrftoken"
# The live server's thread must not keep a connection open past its test: on
# PostgreSQL that stops the test database from being dropped at the end.
django_settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
if django_settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # A test database in a file, one per run: the race tests' threads then wait on
    # SQLite's file lock (the busy timeout). The default in-memory shared cache
    # answers "database table is locked" at once instead of waiting.
    django_settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = str(
        Path(tempfile.gettempdir()) / f"transition-test-{os.getpid()}.sqlite3"
    )


@pytest.fixture(autouse=True)
def _test_settings(settings):
    # A deliberately slow hasher makes every factory-made user cost a third of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # The manifest storage needs `collectstatic`; tests render templates without it.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture
def project(db) -> Project:
    return factories.ProjectFactory(name="Payments platform")


@pytest.fixture
def lead(project):
    return project.lead


def _member(project: Project, role: str, email: str):
    user = factories.UserFactory(email=email)
    factories.MembershipFactory(project=project, user=user, role=role)
    return user


@pytest.fixture
def contributor(project):
    return _member(project, Role.CONTRIBUTOR, "contributor@example.com")


@pytest.fixture
def ops(project):
    return _member(project, Role.OPS, "ops@example.com")


@pytest.fixture
def viewer(project):
    return _member(project, Role.VIEWER, "viewer@example.com")


@pytest.fixture
def outsider(db):
    return factories.UserFactory(email="outsider@example.com")


@pytest.fixture
def client_as(db) -> Callable[..., Client]:
    def make(user) -> Client:
        client = Client()
        client.force_login(user)
        return client

    return make
