from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("notifications/", views.notification_list, name="list"),
    path("notifications/read-all/", views.read_all, name="read-all"),
    path("notifications/<int:pk>/read/", views.read, name="read"),
    path("notifications/mail/", views.mail_settings, name="mail-settings"),
    path("notifications/unsubscribe/<str:token>/", views.unsubscribe, name="unsubscribe"),
]
