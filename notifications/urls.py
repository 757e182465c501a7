from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.read_all, name="read-all"),
    path("notifications/<int:pk>/read/", views.read, name="read"),
]
