from django.urls import path

from apps.monitoring.views import alerts, dashboards, integrations

app_name = "monitoring"

urlpatterns = [
    path("p/<int:project_id>/", alerts.alerts, name="alerts"),
    path("p/<int:project_id>/alerts/add/", alerts.alert_create, name="alert-add"),
    path("p/<int:project_id>/alerts/adopt/", alerts.alert_adopt, name="alert-adopt"),
    path("p/<int:project_id>/alerts/<int:alert_id>/", alerts.alert_detail, name="alert"),
    path("p/<int:project_id>/alerts/<int:alert_id>/edit/", alerts.alert_edit, name="alert-edit"),
    path(
        "p/<int:project_id>/alerts/<int:alert_id>/delete/",
        alerts.alert_delete,
        name="alert-delete",
    ),
    path(
        "p/<int:project_id>/alerts/<int:alert_id>/verify/",
        alerts.alert_verify,
        name="alert-verify",
    ),
    path("p/<int:project_id>/deliveries/<int:delivery_id>/", alerts.delivery, name="delivery"),
    path("p/<int:project_id>/dashboards/add/", dashboards.dashboard_create, name="dashboard-add"),
    path(
        "p/<int:project_id>/dashboards/<int:dashboard_id>/",
        dashboards.dashboard_edit,
        name="dashboard-edit",
    ),
    path(
        "p/<int:project_id>/dashboards/<int:dashboard_id>/delete/",
        dashboards.dashboard_delete,
        name="dashboard-delete",
    ),
    path(
        "p/<int:project_id>/dashboards/<int:dashboard_id>/confirm/",
        dashboards.dashboard_confirm,
        name="dashboard-confirm",
    ),
    path("p/<int:project_id>/integrations/", integrations.integrations, name="integrations"),
    path(
        "p/<int:project_id>/integrations/add/",
        integrations.integration_create,
        name="integration-add",
    ),
    path(
        "p/<int:project_id>/integrations/<int:integration_id>/",
        integrations.integration_edit,
        name="integration-edit",
    ),
    path(
        "p/<int:project_id>/integrations/<int:integration_id>/rotate/",
        integrations.integration_rotate,
        name="integration-rotate",
    ),
    path(
        "p/<int:project_id>/integrations/<int:integration_id>/delete/",
        integrations.integration_delete,
        name="integration-delete",
    ),
]
