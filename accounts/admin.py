from allauth.account.models import EmailAddress
from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models.constants import LOOKUP_SEP
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


def may_see_addresses(user):
    """Whether a staff member sees fans' email addresses in the admin: superusers only.

    Moderators read accounts to judge what fans did; an address helps none
    of that, and every moderator who can read them is one more place they
    leak from.
    """
    return user.is_superuser


def _names_an_address(lookup):
    # "email", "email__iendswith", "emailaddress__email__startswith": filters
    # typed into the list's address find accounts by their address, a letter
    # at a time if need be, without it ever being shown.
    parts = lookup.split(LOOKUP_SEP)
    return parts[0] == "email" or parts[:2] == ["emailaddress", "email"]


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

    # Fans' addresses: shown, searched and filtered by superusers alone, in the
    # list, the change page, the user autocomplete and typed-in filters.

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        return shown if may_see_addresses(request.user) else [f for f in shown if f != "email"]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        return fields if may_see_addresses(request.user) else [f for f in fields if f != "email"]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if may_see_addresses(request.user):
            return fieldsets
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "email"]})
            for name, options in fieldsets
        ]

    def get_inlines(self, request, obj):
        return super().get_inlines(request, obj) if may_see_addresses(request.user) else []

    def lookup_allowed(self, lookup, value, request):
        # Nobody filters by password hash: a prefix at a time, it would spell it out.
        if lookup.split(LOOKUP_SEP)[0] == "password":
            return False
        if _names_an_address(lookup) and not may_see_addresses(request.user):
            return False
        return super().lookup_allowed(lookup, value, request)


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
