from django.urls import path

from apps.support.views import components, escalation, imports, matrix, teams, who

app_name = "support"

urlpatterns = [
    # The matrix: components x tiers, the cells edited in place.
    path("p/<int:project_id>/", matrix.matrix, name="matrix"),
    path("p/<int:project_id>/gaps/", matrix.gaps, name="gaps"),
    path("p/<int:project_id>/cell/<int:component_id>/<int:tier_id>/", matrix.cell, name="cell"),
    path("p/<int:project_id>/components/add/", components.component_create, name="component-add"),
    path(
        "p/<int:project_id>/components/<int:component_id>/",
        components.component_edit,
        name="component-edit",
    ),
    path(
        "p/<int:project_id>/components/<int:component_id>/delete/",
        components.component_delete,
        name="component-delete",
    ),
    path("p/<int:project_id>/tiers/add/", components.tier_create, name="tier-add"),
    path("p/<int:project_id>/tiers/<int:tier_id>/", components.tier_edit, name="tier-edit"),
    path(
        "p/<int:project_id>/tiers/<int:tier_id>/delete/",
        components.tier_delete,
        name="tier-delete",
    ),
    path("p/<int:project_id>/tiers/<int:tier_id>/move/", components.tier_move, name="tier-move"),
    # Teams, their scope, and the catch-all owner.
    path("p/<int:project_id>/teams/", teams.team_list, name="teams"),
    path("p/<int:project_id>/teams/add/", teams.team_create, name="team-add"),
    path("p/<int:project_id>/teams/<int:team_id>/", teams.team_edit, name="team-edit"),
    path("p/<int:project_id>/teams/<int:team_id>/remove/", teams.team_remove, name="team-remove"),
    path("p/<int:project_id>/catch-all/", teams.catch_all, name="catch-all"),
    # The escalation paths.
    path("p/<int:project_id>/escalation/", escalation.path_list, name="escalation"),
    path("p/<int:project_id>/escalation/add/", escalation.level_create, name="level-add"),
    path(
        "p/<int:project_id>/escalation/<int:level_id>/",
        escalation.level_edit,
        name="level-edit",
    ),
    path(
        "p/<int:project_id>/escalation/<int:level_id>/delete/",
        escalation.level_delete,
        name="level-delete",
    ),
    path(
        "p/<int:project_id>/escalation/<int:level_id>/move/",
        escalation.level_move,
        name="level-move",
    ),
    # Read only, for 3 a.m.
    path("p/<int:project_id>/who/", who.who_to_call, name="who"),
    # CSV import of components and ownership.
    path("p/<int:project_id>/import/", imports.import_csv, name="import"),
    path("p/<int:project_id>/import/template.csv", imports.import_template, name="import-template"),
]
