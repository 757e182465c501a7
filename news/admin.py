import datetime
import zoneinfo

from django.conf import settings
from django.contrib import admin, messages
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from modeltranslation.admin import TranslationAdmin, TranslationTabularInline

from opinion.impacts import measure_update, update_written

from .models import SeasonUpdate, UpdateEffect, UpdateState, UpdateStatus
from .publishing import publish_update, unpublish_update


def shown_time(value):
    """A time as curators read it: in DISPLAY_TIME_ZONE, with UTC beside.

    "2026-11-29 09:00 KST (00:00 UTC)"; the UTC date too when it is another day.
    """
    if value is None:
        return None
    local = timezone.localtime(value, zoneinfo.ZoneInfo(settings.DISPLAY_TIME_ZONE))
    utc = value.astimezone(datetime.UTC)
    utc_text = f"{utc:%H:%M}" if utc.date() == local.date() else f"{utc:%Y-%m-%d %H:%M}"
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()} ({utc_text} UTC)"


class StateFilter(admin.SimpleListFilter):
    """Draft, scheduled (published, due later) or published: what the public sees of each."""

    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return UpdateState.choices

    def queryset(self, request, queryset):
        if self.value() is None:
            return queryset
        return queryset.in_state(self.value())


# Plain TranslationAdmin, not the tabbed kind, whose jQuery UI comes from a
# CDN (see discussions.admin).
class UpdateEffectInline(TranslationTabularInline):
    model = UpdateEffect
    fields = ("concern", "effect", "reason")
    extra = 1
    # A plain select: a handful of concerns, and it works without JavaScript.


@admin.register(SeasonUpdate)
class SeasonUpdateAdmin(TranslationAdmin):
    list_display = (
        "title",
        "state",
        "published_at_shown",
        "is_spoiler",
        "source_name",
        "effect_count",
    )
    list_filter = (StateFilter, "published_at", "effects__concern")
    search_fields = ("title_en", "title_ko", "summary_en", "summary_ko", "source_name")
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
                "fields": ("status", "published_at", "published_at_local"),
                "description": _(
                    "Draft stays private (staff can preview it with View on site). "
                    "Published with a time in the future is scheduled: it goes public "
                    "by itself at that time. Published with no time means now. "
                    "Times are typed in the site's time zone (UTC unless set otherwise); "
                    "they are shown below in the display time zone too."
                ),
            },
        ),
        (_("Record"), {"fields": ("created_at_shown", "updated_at_shown")}),
    )
    readonly_fields = ("published_at_local", "created_at_shown", "updated_at_shown")
    actions = ["publish_now"]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(n_effects=Count("effects"))

    @admin.display(description=_("concerns linked"), ordering="n_effects")
    def effect_count(self, obj):
        return obj.n_effects

    @admin.display(description=_("state"), ordering="published_at")
    def state(self, obj):
        return obj.get_state_display()

    @admin.display(description=_("published at"), ordering="published_at")
    def published_at_shown(self, obj):
        return shown_time(obj.published_at)

    @admin.display(description=_("published at, in the display time zone"))
    def published_at_local(self, obj):
        return shown_time(obj.published_at)

    @admin.display(description=_("created"))
    def created_at_shown(self, obj):
        return shown_time(obj.created_at)

    @admin.display(description=_("updated"))
    def updated_at_shown(self, obj):
        return shown_time(obj.updated_at)

    def lookup_allowed(self, lookup, value, request):
        # The status filter this list had before the state filter; links to it still work.
        return lookup == "status__exact" or super().lookup_allowed(lookup, value, request)

    def save_model(self, request, obj, form, change):
        # Publishing, moving a published update's time and going back to draft
        # go through news.publishing like the action: the rest of the form is
        # saved with the publication as stored, then the operation writes it.
        status, at = obj.status, obj.published_at  # clean() made an empty time "now"
        stored = (UpdateStatus.DRAFT, None)
        if change:
            stored = SeasonUpdate.objects.values_list("status", "published_at").get(pk=obj.pk)
        publishes = status == UpdateStatus.PUBLISHED and (
            stored[0] != UpdateStatus.PUBLISHED or "published_at" in form.changed_data
        )
        unpublishes = status == UpdateStatus.DRAFT and stored[0] == UpdateStatus.PUBLISHED
        if publishes or unpublishes:
            obj.status, obj.published_at = stored
        super().save_model(request, obj, form, change)
        if publishes:
            publish_update(obj, curator=request.user, at=at)
        elif unpublishes:
            unpublish_update(obj, curator=request.user, at=at)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        # Effects added, changed or removed change what the update did to
        # opinion; publishing, moving or taking it back measured it already.
        if any(formset.has_changed() for formset in formsets):
            measure_update(form.instance)

    @admin.action(description=_("Publish selected updates now"), permissions=["change"])
    def publish_now(self, request, queryset):
        published = 0
        for update in queryset:
            if publish_update(update, curator=request.user):
                self.log_change(request, update, gettext("Published now"))
                published += 1
        self.message_user(
            request,
            ngettext("%(count)d update published.", "%(count)d updates published.", published)
            % {"count": published},
            messages.SUCCESS,
        )


@admin.register(UpdateEffect)
class UpdateEffectAdmin(TranslationAdmin):
    list_display = ("update", "concern", "effect", "reason")
    list_filter = ("effect", "concern", "update__status")
    search_fields = (
        "update__title_en",
        "update__title_ko",
        "concern__title_en",
        "concern__title_ko",
        "reason_en",
        "reason_ko",
    )
    ordering = ("-update__published_at", "concern__position")
    list_select_related = ("update", "concern")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        update_written([obj.pk])
