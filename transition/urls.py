from django.contrib import admin
from django.urls import include, path

from apps.core import csp_reports
from apps.core import views as core_views
from apps.monitoring.views import hooks

urlpatterns = [
    path("", include("apps.projects.urls")),
    path("accounts/", include("apps.accounts.urls")),
    path("reminders/", include("apps.reminders.urls")),
    path("support/", include("apps.support.urls")),
    path("runbooks/", include("apps.runbooks.urls")),
    path("monitoring/", include("apps.monitoring.urls")),
    # The webhook receivers: an address monitoring tools are configured with (DESIGN.md).
    path("hooks/<str:source>/<str:token>/", hooks.receive, name="hook"),
    # Single sign-on: always routed, 404 unless OIDC_* are set (apps/accounts/oidc.py).
    path("accounts/oidc/", include("mozilla_django_oidc.urls")),
    path("admin/", admin.site.urls),
    path("favicon.ico", core_views.favicon, name="favicon"),
    path("healthz", core_views.healthz, name="healthz"),
    path("csp-report", csp_reports.csp_report, name="csp-report"),
]
