from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from aouad.admin import RecordAdmin
from moderation.admin import CommentModerationActions, ReportInline

from .models import (
    Article,
    Comment,
    CommentRevision,
    Concern,
    SeasonUpdate,
    UpdateEffect,
    Vote,
    VoteEvent,
)


class ConcernInline(admin.TabularInline):
    model = Concern
    fields = ("position", "title", "slug", "description", "results_hidden_until_vote")
    prepopulated_fields = {"slug": ("title",)}
    extra = 0
    ordering = ("position", "pk")
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(admin.ModelAdmin):
    list_display = ("title", "publication", "author", "concern_count", "created_at")
    search_fields = ("title", "publication", "author", "summary")
    prepopulated_fields = {"slug": ("title",)}
    inlines = [ConcernInline]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_concerns=Count("concerns"))

    @admin.display(description=_("concerns"), ordering="n_concerns")
    def concern_count(self, obj):
        return obj.n_concerns


@admin.register(Concern)
class ConcernAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "article",
        "position",
        "justified_votes",
        "overblown_votes",
        "visible_comments",
    )
    list_editable = ("position",)
    list_filter = ("article",)
    search_fields = ("title", "slug", "description")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("article", "position", "pk")
    list_select_related = ("article",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_tallies()

    @admin.display(description=_("justified"), ordering="justified_count")
    def justified_votes(self, obj):
        return obj.justified_count

    @admin.display(description=_("overblown"), ordering="overblown_count")
    def overblown_votes(self, obj):
        return obj.overblown_count

    @admin.display(description=_("visible comments"), ordering="comment_count")
    def visible_comments(self, obj):
        return obj.comment_count


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = ("user", "concern", "verdict", "created_at", "updated_at")
    list_filter = ("verdict", "concern")
    search_fields = ("user__username", "concern__title")
    ordering = ("-updated_at",)
    list_select_related = ("user", "concern")
    date_hierarchy = "updated_at"

    # Votes change only through the site, so the history stays true to them.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(VoteEvent)
class VoteEventAdmin(RecordAdmin):
    list_display = ("created_at", "user", "concern", "action", "previous_verdict", "verdict")
    list_filter = ("action", "verdict", "concern")
    search_fields = ("user__username", "concern__title")
    ordering = ("-created_at", "-pk")
    list_select_related = ("user", "concern")
    date_hierarchy = "created_at"


class CommentRevisionInline(admin.TabularInline):
    model = CommentRevision
    fields = ("written_at", "replaced_at", "body", "is_spoiler", "stance")
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("earlier versions (kept when the author edits)")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Comment)
class CommentAdmin(CommentModerationActions, admin.ModelAdmin):
    list_display = (
        "pk",
        "excerpt",
        "author",
        "concern",
        "stance",
        "is_spoiler",
        "is_reply",
        "status",
        "edited_at",
        "created_at",
    )
    list_display_links = ("pk", "excerpt")
    list_filter = ("status", "is_spoiler", "stance", "concern", "created_at")
    search_fields = ("body", "author__username")
    ordering = ("-created_at", "-pk")
    list_select_related = ("author", "concern")
    date_hierarchy = "created_at"
    # Moderators act through the actions, which keep the moderation log; the
    # form only shows what a fan wrote.
    fields = (
        "concern",
        "author",
        "parent",
        "body",
        "stance",
        "is_spoiler",
        "status",
        "created_at",
        "edited_at",
        "updated_at",
    )
    readonly_fields = fields
    inlines = [CommentRevisionInline, ReportInline]
    actions = [
        "hide_comments",
        "restore_comments",
        "dismiss_reports",
        "mark_as_spoiler",
        "remove_authors_as_spam",
    ]

    def has_add_permission(self, request):
        return False

    # Moderation hides; it never deletes what a fan wrote.
    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, obj):
        return obj.parent_id is not None


class UpdateEffectInline(admin.TabularInline):
    model = UpdateEffect
    fields = ("concern", "effect", "reason")
    extra = 1
    # A plain select: a handful of concerns, and it works without JavaScript.


@admin.register(SeasonUpdate)
class SeasonUpdateAdmin(admin.ModelAdmin):
    list_display = ("title", "state", "published_at", "is_spoiler", "source_name", "effect_count")
    list_filter = ("status", "published_at", "effects__concern")
    search_fields = ("title", "summary", "source_name")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("-published_at", "-pk")
    date_hierarchy = "published_at"
    inlines = [UpdateEffectInline]
    fieldsets = (
        (None, {"fields": ("title", "slug", "summary", "is_spoiler")}),
        (_("Source"), {"fields": ("source_name", "source_url")}),
        (
            _("Publication"),
            {
                "fields": ("status", "published_at"),
                "description": _(
                    "Draft stays private (staff can preview it with View on site). "
                    "Published with a time in the future is scheduled: it goes public "
                    "by itself at that time. Published with no time means now."
                ),
            },
        ),
    )
    actions = ["publish_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_effects=Count("effects"))

    @admin.display(description=_("concerns linked"), ordering="n_effects")
    def effect_count(self, obj):
        return obj.n_effects

    @admin.display(description=_("state"), ordering="published_at")
    def state(self, obj):
        return obj.get_state_display()

    @admin.action(description=_("Publish selected updates now"), permissions=["change"])
    def publish_now(self, request, queryset):
        published = 0
        for update in queryset:
            if update.is_public:
                continue
            update.status = SeasonUpdate.Status.PUBLISHED
            update.published_at = timezone.now()
            update.save(update_fields=["status", "published_at", "updated_at"])
            self.log_change(request, update, gettext("Published now"))
            published += 1
        self.message_user(
            request,
            ngettext("%(count)d update published.", "%(count)d updates published.", published)
            % {"count": published},
            messages.SUCCESS,
        )


@admin.register(UpdateEffect)
class UpdateEffectAdmin(admin.ModelAdmin):
    list_display = ("update", "concern", "effect", "reason")
    list_filter = ("effect", "concern", "update__status")
    search_fields = ("update__title", "concern__title", "reason")
    ordering = ("-update__published_at", "concern__position")
    list_select_related = ("update", "concern")
