from django.contrib import admin

from accounts.admin import RecordAdmin

from .models import Follow, MailPreference, Notification

# Follows and notifications change only through notifications.delivery: a
# follow edited here would skip the rule that re-following starts afresh, and
# a notification deleted here would be delivered again.


@admin.register(Follow)
class FollowAdmin(RecordAdmin):
    list_display = ("user", "concern", "is_active", "followed_at")
    list_filter = ("is_active", "concern")
    search_fields = ("user__username",)
    list_select_related = ("user", "concern")
    ordering = ("-followed_at",)


@admin.register(Notification)
class NotificationAdmin(RecordAdmin):
    list_display = ("created_at", "recipient", "kind", "concern", "read_at")
    list_filter = ("kind", "read_at")
    search_fields = ("recipient__username",)
    list_select_related = ("recipient", "concern")
    ordering = ("-created_at",)
    raw_id_fields = ("recipient", "comment", "update")


@admin.register(MailPreference)
class MailPreferenceAdmin(RecordAdmin):
    # Only the fan chooses (their settings page, or an unsubscribe link).
    list_display = ("user", "replies", "updates", "language")
    list_filter = ("replies", "updates", "language")
    search_fields = ("user__username",)
    list_select_related = ("user",)
    ordering = ("user__username",)
