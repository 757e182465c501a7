from django.contrib import admin

from accounts.admin import RecordAdmin

from .models import Vote, VoteEvent


@admin.register(Vote)
class VoteAdmin(RecordAdmin):
    # Votes change only through cast_vote: a row deleted here would skip the
    # history and the day's shift, and the chart would drift from the tallies.
    list_display = ("user", "concern", "verdict", "created_at", "updated_at")
    list_filter = ("verdict", "concern")
    search_fields = ("user__username", "concern__title")
    ordering = ("-updated_at",)
    list_select_related = ("user", "concern")
    date_hierarchy = "updated_at"


@admin.register(VoteEvent)
class VoteEventAdmin(RecordAdmin):
    list_display = ("created_at", "user", "concern", "action", "previous_verdict", "verdict")
    list_filter = ("action", "verdict", "concern")
    search_fields = ("user__username", "concern__title")
    ordering = ("-created_at", "-pk")
    list_select_related = ("user", "concern")
    date_hierarchy = "created_at"
