from django.urls import path

from apps.reminders import views

app_name = "reminders"

urlpatterns = [
    path("", views.my_reminders, name="mine"),
    path("unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
    path("p/<int:project_id>/", views.project_history, name="project-history"),
]
