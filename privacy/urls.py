from django.urls import path

from . import views

app_name = "privacy"

urlpatterns = [
    path("privacy/", views.policy, name="policy"),
    path("accounts/export/", views.export, name="export"),
    path("accounts/delete/", views.delete, name="delete"),
]
