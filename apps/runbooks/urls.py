from django.urls import path

from apps.runbooks.views import runbooks, scenarios, walkthroughs

app_name = "runbooks"

urlpatterns = [
    path("p/<int:project_id>/", runbooks.runbook_list, name="list"),
    path("p/<int:project_id>/new/", runbooks.runbook_create, name="create"),
    path("p/<int:project_id>/<int:runbook_id>/", runbooks.runbook_detail, name="detail"),
    path("p/<int:project_id>/<int:runbook_id>/edit/", runbooks.runbook_edit, name="edit"),
    path("p/<int:project_id>/<int:runbook_id>/delete/", runbooks.runbook_delete, name="delete"),
    path(
        "p/<int:project_id>/<int:runbook_id>/export.md",
        runbooks.runbook_markdown,
        name="export-markdown",
    ),
    path("p/<int:project_id>/<int:runbook_id>/print/", runbooks.runbook_print, name="print"),
    path(
        "p/<int:project_id>/<int:runbook_id>/scenarios/new/",
        scenarios.scenario_create,
        name="scenario-create",
    ),
    path(
        "p/<int:project_id>/scenarios/<int:scenario_id>/edit/",
        scenarios.scenario_edit,
        name="scenario-edit",
    ),
    path(
        "p/<int:project_id>/scenarios/<int:scenario_id>/delete/",
        scenarios.scenario_delete,
        name="scenario-delete",
    ),
    path(
        "p/<int:project_id>/scenarios/<int:scenario_id>/move/",
        scenarios.scenario_move,
        name="scenario-move",
    ),
    path(
        "p/<int:project_id>/scenarios/<int:scenario_id>/walkthrough/",
        walkthroughs.walkthrough_record,
        name="walkthrough-record",
    ),
]
