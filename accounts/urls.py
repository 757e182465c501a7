from allauth.account import views as allauth_views
from django.urls import path

from . import views

app_name = "accounts"

# The site's names for the pages it links to; allauth's own URLs (password
# reset and change, email addresses and their confirmation) follow under the
# same /accounts/ prefix with allauth's names, which its views reverse.
urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.login, name="login"),
    path("logout/", allauth_views.logout, name="logout"),
    path("confirm-email/again/", views.resend_confirmation, name="resend-confirmation"),
    path("profile/", views.profile, name="profile"),
]
