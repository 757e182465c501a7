from django.urls import path

from . import views

app_name = "moderation"

urlpatterns = [
    path("comments/<int:pk>/report/", views.report, name="comment-report"),
    path("moderation/", views.log, name="log"),
]
