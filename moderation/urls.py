from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("comments/<int:pk>/report/", views.report, name="comment-report"),
    path("moderation/", views.log, name="log"),
    path("rules/", views.rules, name="rules"),
    path("comments/<int:pk>/moderation/", views.comment_decision, name="comment-decision"),
]
