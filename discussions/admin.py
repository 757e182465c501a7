from django.contrib import admin, messages
from django.db.models import Count
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from .featuring import feature_article
from .models import Article, Concern


# Plain TranslationAdmin, each language's field one under the other: the
# tabbed kind loads jQuery UI from a CDN, which the site's CSP (and its
# rule of serving every script itself) refuses.
class ConcernInline(TranslationTabularInline):
    model = Concern
    fields = ("position", "title", "slug", "description", "results_hidden_until_vote")
    prepopulated_fields = {"slug": ("title",)}
    extra = 0
    ordering = ("position", "pk")
    show_change_link = True


@admin.register(Article)
class ArticleAdmin(TranslationAdmin):
    list_display = ("title", "featured", "publication", "author", "concern_count", "created_at")
    search_fields = ("title", "publication", "author", "summary_en", "summary_ko")
    prepopulated_fields = {"slug": ("title",)}
    # Moved only by the action: ticking it on a second article would break the
    # one-featured rule, and the action takes it from the other article first.
    readonly_fields = ("featured",)
    inlines = [ConcernInline]
    actions = ["feature"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_concerns=Count("concerns"))

    @admin.display(description=_("concerns"), ordering="n_concerns")
    def concern_count(self, obj):
        return obj.n_concerns

    @admin.action(description=_("Feature on the home page"), permissions=["change"])
    def feature(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(
                request, _("Choose one article: the home page features one."), messages.ERROR
            )
            return
        article = feature_article(queryset.get())
        self.log_change(request, article, gettext("Featured on the home page"))
        self.message_user(
            request,
            _("“%(title)s” now leads the home page.") % {"title": article.title},
            messages.SUCCESS,
        )


@admin.register(Concern)
class ConcernAdmin(TranslationAdmin):
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
    # Both languages, whichever the curator's admin is in.
    search_fields = ("title_en", "title_ko", "slug", "description_en", "description_ko")
    prepopulated_fields = {"slug": ("title",)}
    ordering = ("article", "position", "pk")
    list_select_related = ("article",)

    def get_queryset(self, request):
        return super().get_queryset(request).with_tallies().with_comment_counts()

    @admin.display(description=_("justified"), ordering="justified_count")
    def justified_votes(self, obj):
        return obj.justified_count

    @admin.display(description=_("overblown"), ordering="overblown_count")
    def overblown_votes(self, obj):
        return obj.overblown_count

    @admin.display(description=_("visible comments"), ordering="comment_count")
    def visible_comments(self, obj):
        return obj.comment_count
