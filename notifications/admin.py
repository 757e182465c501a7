from django.contrib import admin

from .models import Follow, Notification


@admin.register(Follow)
class FollowAdmin(admin.ModelAdmin):
    list_display = ("user", "concern", "is_active", "followed_at")
    list_filter = ("is_active", "concern")
    search_fields = ("user__username",)
    list_select_related = ("user", "concern")
    ordering = ("-followed_at",)


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created_at", "recipient", "kind", "concern", "read_at")
    list_filter = ("kind", "read_at")
    search_fields = ("recipient__username",)
    list_select_related = ("recipient", "concern")
    ordering = ("-created_at",)
    raw_id_fields = ("recipient", "comment", "update")

    def has_add_permission(self, request):
        return False
