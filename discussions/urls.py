from django.urls import path

from . import feeds, views

app_name = "discussions"

urlpatterns = [
    path("", views.home, name="home"),
    path("articles/<slug:slug>/", views.article_detail, name="article-detail"),
    path("concerns/<slug:slug>/", views.concern_detail, name="concern-detail"),
    path("concerns/<slug:slug>/live/", views.concern_live, name="concern-live"),
    path("concerns/<slug:slug>/vote/", views.vote, name="concern-vote"),
    path("concerns/<slug:slug>/keep/", views.keep, name="concern-keep"),
    path("concerns/<slug:slug>/dismiss/", views.dismiss, name="concern-dismiss"),
    path("concerns/<slug:slug>/follow/", views.follow, name="concern-follow"),
    path("concerns/<slug:slug>/feed/", feeds.ConcernFeed(), name="concern-feed"),
    path("concerns/<slug:slug>/card.png", views.concern_card, name="concern-card"),
    path("concerns/<slug:slug>/comments/", views.comment_create, name="comment-create"),
    path("comments/<int:pk>/reply/", views.comment_reply, name="comment-reply"),
    path("comments/<int:pk>/helpful/", views.helpful, name="comment-helpful"),
    path("comments/<int:pk>/edit/", views.comment_edit, name="comment-edit"),
    path("comments/<int:pk>/delete/", views.comment_delete, name="comment-delete"),
    # Beside news's /updates/<slug>/, which ends in a slash and so never takes this path.
    path("updates/<slug:slug>/card.png", views.update_card, name="update-card"),
    path("fans/<str:username>/", views.fan_profile, name="fan-profile"),
    path("fans/<str:username>/mute/", views.fan_mute, name="fan-mute"),
    path("api/concerns/", views.api_concern_list, name="api-concern-list"),
    path("api/concerns/<slug:slug>/", views.api_concern_detail, name="api-concern-detail"),
]
