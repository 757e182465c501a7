from django.urls import path

from . import feeds, views

app_name = "news"

urlpatterns = [
    path("updates/", views.update_list, name="update-list"),
    path("updates/feed/", feeds.UpdatesFeed(), name="update-feed"),
    path("updates/<slug:slug>/", views.update_detail, name="update-detail"),
]
