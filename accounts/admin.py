from allauth.account.models import EmailAddress
from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Mute, User


class RecordAdmin(admin.ModelAdmin):
    """An admin for a record that nobody adds to, edits or removes by hand.

    Every app's operations own their rows; an admin for rows that only an
    operation may write (votes, follows, the moderation log) shows them and
    nothing more, superusers included.
    """

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _is_suspension_autocomplete(request):
    """Whether this search fills the user field of a new suspension."""
    return getattr(request.resolver_match, "url_name", None) == "autocomplete" and (
        request.GET.get("app_label"),
        request.GET.get("model_name"),
        request.GET.get("field_name"),
    ) == ("moderation", "suspension", "user")


class EmailAddressInline(admin.TabularInline):
    """A fan's addresses, with whether each is confirmed: staff may set it by hand."""

    model = EmailAddress
    fields = ("email", "verified", "primary")
    extra = 0


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "email", "is_staff", "is_active", "date_joined", "last_login")
    list_filter = (
        "is_staff",
        "is_superuser",
        "is_active",
        "groups",
        "is_demo",
        "email_confirmation_required",
        "emailaddress__verified",
        "date_joined",
    )
    search_fields = ("username", "email", "display_name")
    ordering = ("-date_joined",)
    inlines = [EmailAddressInline]
    fieldsets = (
        *DjangoUserAdmin.fieldsets,
        (_("Profile"), {"fields": ("display_name", "bio", "votes_public")}),
        (_("Taking part"), {"fields": ("email_confirmation_required",)}),
    )

    def get_search_results(self, request, queryset, search_term):
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Offer only the accounts this staff member may suspend.
        if _is_suspension_autocomplete(request):
            queryset = queryset.suspendable_by(request.user)
        return queryset, may_have_duplicates


@admin.register(Mute)
class MuteAdmin(RecordAdmin):
    """Who muted whom: fans mute and unmute on the site, and staff only read it."""

    list_display = ("muter", "muted", "created_at")
    list_select_related = ("muter", "muted")
    search_fields = ("muter__username", "muted__username")
    date_hierarchy = "created_at"


admin.site.unregister(AccessAttempt)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    # django-axes 8.3.1's "clean up expired attempts" action always fails
    # (AttributeError in its handler); expired attempts are cleaned at each
    # log-in anyway.
    actions = []
