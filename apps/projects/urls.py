from django.urls import path

from apps.projects import views

app_name = "projects"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("me/items/", views.my_items, name="my-items"),
    path("p/new/", views.project_create, name="create"),
    path("p/<int:project_id>/", views.project_detail, name="detail"),
    path("p/<int:project_id>/edit/", views.project_edit, name="edit"),
    path("p/<int:project_id>/phase/", views.project_phase, name="phase"),
    path("p/<int:project_id>/members/", views.project_members, name="members"),
    path(
        "p/<int:project_id>/members/<int:membership_id>/",
        views.member_update,
        name="member-update",
    ),
    path("p/<int:project_id>/activity/", views.project_activity, name="activity"),
    path("p/<int:project_id>/tasks/new/", views.task_create, name="task-create"),
    path("p/<int:project_id>/tasks/<int:task_id>/edit/", views.task_edit, name="task-edit"),
    path("p/<int:project_id>/tasks/<int:task_id>/status/", views.task_status, name="task-status"),
    path("p/<int:project_id>/tasks/<int:task_id>/delete/", views.task_delete, name="task-delete"),
    path("p/<int:project_id>/criteria/new/", views.criterion_create, name="criterion-create"),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/edit/",
        views.criterion_edit,
        name="criterion-edit",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/delete/",
        views.criterion_delete,
        name="criterion-delete",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/sign-off/",
        views.criterion_sign_off,
        name="criterion-sign-off",
    ),
    path(
        "p/<int:project_id>/criteria/<int:criterion_id>/sign-offs/<int:signoff_id>/revoke/",
        views.signoff_revoke,
        name="signoff-revoke",
    ),
]
