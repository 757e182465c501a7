from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME, ActionForm
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.text import Truncator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from accounts.admin import RecordAdmin
from accounts.models import User
from discussions.models import Comment, CommentRevision

from . import decisions
from .forms import HideForm
from .models import ModerationEvent, Report, ReportedComment, ReviewRequest, Suspension

# The field a confirmation page posts back, as Django's own "delete selected" does.
CONFIRMED = "post"


def _admin_link(obj, text=None):
    """A link to the object's admin change page, or its text alone when it has none."""
    if obj is None:
        return text or ""
    opts = obj._meta
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
    return format_html('<a href="{}">{}</a>', url, text if text is not None else str(obj))


def confirm(model_admin, request, queryset, *, title, consequences, names=(), refused=()):
    """Django's "are you sure?" page for an action: what it will do, and a button to do it.

    Returns None once the page's own POST (with CONFIRMED) came back, so the
    action goes on; otherwise the page, and nothing is done.
    """
    if request.POST.get(CONFIRMED) == "yes":
        return None
    if not names and refused:
        # Nothing would be done: the action goes on only to say whom it may not touch.
        return None
    context = {
        **model_admin.admin_site.each_context(request),
        "title": title,
        "opts": model_admin.opts,
        "consequences": consequences,
        "names": names,
        "refused": refused,
        "selected": [str(pk) for pk in queryset.values_list("pk", flat=True)],
        "action": request.POST.get("action", ""),
        "action_checkbox_name": ACTION_CHECKBOX_NAME,
        "confirmed_field": CONFIRMED,
    }
    return TemplateResponse(request, "admin/moderation/confirm_action.html", context)


class ModerationActionForm(ActionForm):
    """The action bar, with the rule and note a hide needs; HideForm checks them."""

    rule = forms.CharField(
        label=_("Rule broken (to hide):"),
        required=False,
        widget=forms.Select(choices=HideForm.base_fields["rule"].choices),
    )
    note = forms.CharField(
        label=_("Note (staff only):"),
        required=False,
        widget=forms.TextInput(attrs={"maxlength": 500, "size": 24}),
    )


class CommentModerationActions:
    """Admin actions shared by the comment list and the review queue.

    Each calls the matching decision and writes Django's admin log too.
    Comments are never added here, and moderation hides; it never deletes
    what a fan wrote.
    """

    action_form = ModerationActionForm

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("comment"))
    def excerpt(self, obj):
        return Truncator(obj.body).chars(80)

    @admin.display(description=_("as readers see it"))
    def shown_as(self, obj):
        # Beside the text as written: what its Markdown, links and mentions became.
        return obj.html

    @admin.display(description=_("author"), ordering="author__username")
    def author_name(self, obj):
        return obj.author_name

    @admin.display(description=_("author"), ordering="author__username")
    def author_link(self, obj):
        return _admin_link(obj.author, obj.author_name)

    @admin.display(description=_("concern"), ordering="concern__position")
    def concern_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>', obj.get_absolute_url(), Truncator(obj.concern.title).chars(40)
        )

    def _act(self, request, queryset, decide, say):
        changed = decide(queryset, request.user)
        for comment in changed:
            self.log_change(request, comment, say(1))
        self.message_user(
            request, say(len(changed)), messages.SUCCESS if changed else messages.INFO
        )

    @admin.action(
        description=_("Hide selected comments from the site (choose the rule broken)"),
        permissions=["change"],
    )
    def hide_comments(self, request, queryset):
        form = HideForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return
        rule, note = form.cleaned_data["rule"], form.cleaned_data["note"]
        self._act(
            request,
            queryset,
            lambda comments, moderator: decisions.hide_comments(comments, moderator, rule, note),
            lambda n: (
                ngettext("%(count)d comment hidden.", "%(count)d comments hidden.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Restore selected comments to the site"), permissions=["change"])
    def restore_comments(self, request, queryset):
        self._act(
            request,
            queryset,
            decisions.restore_comments,
            lambda n: (
                ngettext("%(count)d comment restored.", "%(count)d comments restored.", n)
                % {"count": n}
            ),
        )

    @admin.action(description=_("Dismiss the reports (the comments stay)"), permissions=["change"])
    def dismiss_reports(self, request, queryset):
        self._act(
            request,
            queryset,
            decisions.dismiss_reports,
            lambda n: (
                ngettext(
                    "Reports dismissed on %(count)d comment.",
                    "Reports dismissed on %(count)d comments.",
                    n,
                )
                % {"count": n}
            ),
        )

    @admin.action(description=_("Mark selected comments as spoilers"), permissions=["change"])
    def mark_as_spoiler(self, request, queryset):
        self._act(
            request,
            queryset,
            decisions.mark_as_spoiler,
            lambda n: (
                ngettext(
                    "%(count)d comment marked as a spoiler.",
                    "%(count)d comments marked as spoilers.",
                    n,
                )
                % {"count": n}
            ),
        )

    def has_remove_spam_permission(self, request):
        # The spam action hides and suspends, so it needs both rights.
        return self.has_change_permission(request) and request.user.has_perm(
            "moderation.add_suspension"
        )

    @admin.action(
        description=_("Remove the authors as spammers: hide all their comments, suspend them"),
        permissions=["remove_spam"],
    )
    def remove_authors_as_spam(self, request, queryset):
        # A deleted account has nobody left to suspend; its comments are skipped.
        authors = {
            comment.author for comment in queryset.select_related("author") if comment.author_id
        }
        refused = sorted(
            (author for author in authors if not author.can_be_suspended_by(request.user)),
            key=lambda author: author.username.lower(),
        )
        removed = sorted(
            (author for author in authors if author not in refused),
            key=lambda author: author.username.lower(),
        )
        effects = decisions.what_spam_removal_does(removed)
        asked = confirm(
            self,
            request,
            queryset,
            title=gettext("Remove these fans as spammers?"),
            consequences=[
                ngettext(
                    "%(count)d fan will be suspended permanently.",
                    "%(count)d fans will be suspended permanently.",
                    len(removed),
                )
                % {"count": len(removed)},
                ngettext(
                    "%(count)d comment of theirs will be hidden from the site.",
                    "%(count)d comments of theirs will be hidden from the site.",
                    effects["comments"],
                )
                % {"count": effects["comments"]},
                ngettext(
                    "%(count)d open report on them will be upheld.",
                    "%(count)d open reports on them will be upheld.",
                    effects["reports"],
                )
                % {"count": effects["reports"]},
                gettext("Their votes stay; the public moderation log records each removal."),
            ],
            names=[author.username for author in removed],
            refused=[author.username for author in refused],
        )
        if asked is not None:
            return asked
        for author in removed:
            decisions.remove_as_spam(author, request.user, gettext("Removed as spam"))
            self.log_change(request, author, gettext("Removed as spam"))
        if refused:
            self.message_user(
                request,
                gettext(
                    "Not removed: %(names)s. Moderators remove fans only; "
                    "only a superuser can act on staff."
                )
                % {"names": ", ".join(author.username for author in refused)},
                messages.WARNING,
            )
        if removed or not refused:
            self.message_user(
                request,
                ngettext(
                    "%(count)d fan removed as a spammer.",
                    "%(count)d fans removed as spammers.",
                    len(removed),
                )
                % {"count": len(removed)},
                messages.SUCCESS,
            )


class ReporterName:
    @admin.display(description=_("reported by"), ordering="reporter__username")
    def reporter_name(self, obj):
        return obj.reporter_name


class ReportInline(ReporterName, admin.TabularInline):
    model = Report
    fields = (
        "created_at",
        "reporter_name",
        "reporter_was_new",
        "reason",
        "note",
        "status",
        "resolved_by",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    ordering = ("-created_at",)

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(ReportedComment)
class ReviewQueueAdmin(CommentModerationActions, admin.ModelAdmin):
    """Comments with open reports: held ones first, then the most reported."""

    list_display = (
        "excerpt",
        "author_link",
        "concern_link",
        "status",
        "open_report_count",
        "reasons",
        "reporters",
        "created_at",
        "restore_button",
    )
    list_display_links = ("excerpt",)
    list_filter = ("status", "concern")
    search_fields = ("body", "author__username")
    readonly_fields = (
        "concern",
        "author_name",
        "body",
        "shown_as",
        "is_spoiler",
        "stance",
        "status",
        "created_at",
    )
    fields = readonly_fields
    inlines = [ReportInline]
    actions = [
        "hide_comments",
        "restore_comments",
        "dismiss_reports",
        "mark_as_spoiler",
        "remove_authors_as_spam",
    ]

    def get_queryset(self, request):
        return (
            ReportedComment.objects.needing_review()
            .select_related("author", "concern")
            .prefetch_related(
                Prefetch(
                    "reports",
                    queryset=Report.objects.open().select_related("reporter"),
                    to_attr="open_reports",
                )
            )
        )

    def get_ordering(self, request):
        return ("held_first", "-open_report_count", "-created_at")

    @admin.display(description=_("open reports"), ordering="open_report_count")
    def open_report_count(self, obj):
        return obj.open_report_count

    @admin.display(description=_("reasons"))
    def reasons(self, obj):
        counts = {}
        for report in obj.open_reports:
            label = report.get_reason_display()
            counts[label] = counts.get(label, 0) + 1
        return ", ".join(f"{label} ({n})" for label, n in sorted(counts.items()))

    @admin.display(description=_("reported by"))
    def reporters(self, obj):
        return ", ".join(str(report.reporter_name) for report in obj.open_reports)

    # One click puts back a comment that reports held: a button on its row and
    # on its page, posting to restore_view.

    def get_urls(self):
        restore = path(
            "<path:object_id>/restore/",
            self.admin_site.admin_view(require_POST(self.restore_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_restore",
        )
        hide = path(
            "<path:object_id>/hide/",
            self.admin_site.admin_view(require_POST(self.hide_view)),
            name=f"{self.opts.app_label}_{self.opts.model_name}_hide",
        )
        # Before Django's own, whose "<path:object_id>/" would take it.
        return [restore, hide, *super().get_urls()]

    def _hide_url(self, comment):
        if comment.status not in decisions.REMOVABLE:
            return None
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_hide", args=[comment.pk]
        )

    def _restore_url(self, comment):
        if comment.status not in decisions.RESTORABLE:
            return None
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_restore", args=[comment.pk]
        )

    @admin.display(description=_("restore"))
    def restore_button(self, obj):
        url = self._restore_url(obj)
        if url is None:
            return ""
        # The row sits inside the list's own form, so the button borrows that
        # form (and its CSRF token) and only sends it somewhere else.
        return format_html(
            '<button type="submit" class="button" formaction="{}">{}</button>',
            url,
            gettext("Restore"),
        )

    def get_list_display(self, request):
        # Staff who may only look get no button that would refuse them.
        shown = super().get_list_display(request)
        if self.has_change_permission(request):
            return shown
        return [name for name in shown if name != "restore_button"]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        comment = self._comment(object_id)
        may_restore = comment is not None and self.has_change_permission(request, comment)
        extra_context = {
            **(extra_context or {}),
            "restore_url": self._restore_url(comment) if may_restore else None,
            "hide_url": self._hide_url(comment) if may_restore else None,
            "hide_form": HideForm(auto_id="hide_%s"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def _comment(self, object_id):
        # Any comment, not only those in the queue: a second click on a
        # comment just restored finds it and is told so.
        try:
            return ReportedComment.objects.get(pk=self.opts.pk.to_python(unquote(object_id)))
        except (ReportedComment.DoesNotExist, ValidationError, ValueError):
            return None

    def hide_view(self, request, object_id):
        """Hide one comment for the rule it broke; without a rule, say so and hide nothing."""
        comment = self._comment(object_id)
        if comment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        form = HideForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                for error in errors:
                    self.message_user(request, error, messages.ERROR)
            return redirect(
                f"admin:{self.opts.app_label}_{self.opts.model_name}_change", comment.pk
            )
        data = form.cleaned_data
        if decisions.hide_comments([comment], request.user, data["rule"], data["note"]):
            self.log_change(request, comment, gettext("Hidden"))
            self.message_user(
                request,
                gettext("The comment is hidden; its author is told which rule it broke."),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                gettext("That comment was already hidden or deleted, so nothing changed."),
                messages.INFO,
            )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")

    def restore_view(self, request, object_id):
        """Restore one held or hidden comment; its open reports are dismissed."""
        comment = self._comment(object_id)
        if comment is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_change_permission(request, comment):
            raise PermissionDenied
        if decisions.restore_comments([comment], request.user):
            self.log_change(request, comment, gettext("Restored"))
            self.message_user(
                request,
                gettext("The comment is back on the site; the reports on it were dismissed."),
                messages.SUCCESS,
            )
        else:
            self.message_user(
                request,
                gettext("That comment was not held or hidden, so nothing changed."),
                messages.INFO,
            )
        return redirect(f"admin:{self.opts.app_label}_{self.opts.model_name}_changelist")


@admin.register(Report)
class ReportAdmin(ReporterName, RecordAdmin):
    list_display = (
        "created_at",
        "reason",
        "status",
        "comment_excerpt",
        "comment_author",
        "comment_concern",
        "reporter_link",
        "resolved_by",
    )
    list_display_links = ("created_at",)
    list_filter = ("status", "reason", "created_at")
    search_fields = ("reporter__username", "comment__body", "note")
    ordering = ("-created_at",)
    list_select_related = ("reporter", "comment__author", "comment__concern", "resolved_by")
    readonly_fields = (
        "comment",
        "reporter_name",
        "reporter_was_new",
        "reason",
        "note",
        "status",
        "created_at",
        "resolved_at",
        "resolved_by",
    )
    # Reports are resolved through the review queue, so the log stays whole.
    date_hierarchy = "created_at"

    @admin.display(description=_("comment"))
    def comment_excerpt(self, obj):
        return _admin_link(obj.comment, Truncator(obj.comment.body).chars(80))

    @admin.display(description=_("author"), ordering="comment__author__username")
    def comment_author(self, obj):
        return _admin_link(obj.comment.author, obj.comment.author_name)

    @admin.display(description=_("concern"))
    def comment_concern(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            obj.comment.get_absolute_url(),
            Truncator(obj.comment.concern.title).chars(40),
        )

    @admin.display(description=_("reported by"), ordering="reporter__username")
    def reporter_link(self, obj):
        return _admin_link(obj.reporter, obj.reporter_name)


class SuspensionForm(forms.ModelForm):
    DURATIONS = [
        ("1", _("1 day")),
        ("3", _("3 days")),
        ("7", _("1 week")),
        ("30", _("30 days")),
        ("permanent", _("Permanently")),
        ("custom", _("Until the end date below")),
    ]
    duration = forms.ChoiceField(label=_("Duration"), choices=DURATIONS, initial="7")

    # The staff member suspending; SuspensionAdmin.get_form sets it per request.
    actor = None

    class Meta:
        model = Suspension
        fields = ("user", "duration", "ends_at", "reason")

    def clean_user(self):
        user = self.cleaned_data["user"]
        if self.actor is None or not user.can_be_suspended_by(self.actor):
            raise forms.ValidationError(
                _(
                    "You may not suspend %(user)s: moderators suspend fans only, "
                    "and only a superuser can suspend staff."
                ),
                code="may_not_suspend",
                params={"user": user},
            )
        return user

    def clean(self):
        cleaned = super().clean()
        duration = cleaned.get("duration")
        if duration == "custom":
            ends_at = cleaned.get("ends_at")
            if ends_at is None:
                self.add_error("ends_at", _("Give an end date, or choose a duration."))
            elif ends_at <= timezone.now():
                self.add_error("ends_at", _("The end date must be in the future."))
        elif duration == "permanent":
            cleaned["ends_at"] = None
        elif duration:
            cleaned["ends_at"] = timezone.now() + timezone.timedelta(days=int(duration))
        return cleaned

    def _post_clean(self):
        # The start is set when the suspension is made; check the end against now.
        self.instance.starts_at = timezone.now()
        super()._post_clean()


@admin.register(Suspension)
class SuspensionAdmin(admin.ModelAdmin):
    form = SuspensionForm
    list_display = ("user", "starts_at", "ends_at", "is_active_now", "reason", "created_by")
    list_filter = ("starts_at", "ends_at", "lifted_at")
    search_fields = ("user__username", "reason")
    ordering = ("-starts_at",)
    list_select_related = ("user", "created_by")
    autocomplete_fields = ("user",)
    actions = ["lift_suspensions"]

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        form.actor = request.user
        return form

    def get_readonly_fields(self, request, obj=None):
        # A suspension is a record once made; it ends by itself or is lifted.
        if obj is not None:
            return (
                "user",
                "starts_at",
                "ends_at",
                "reason",
                "created_by",
                "lifted_at",
                "lifted_by",
            )
        return ()

    def get_fields(self, request, obj=None):
        if obj is not None:
            return self.get_readonly_fields(request, obj)
        return ("user", "duration", "ends_at", "reason")

    def save_model(self, request, obj, form, change):
        if change:
            return
        made = decisions.suspend(
            form.cleaned_data["user"],
            request.user,
            form.cleaned_data["reason"],
            form.cleaned_data["ends_at"],
        )
        obj.pk = made.pk
        obj.starts_at = made.starts_at

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("in force"), boolean=True)
    def is_active_now(self, obj):
        return obj.is_active

    @admin.action(description=_("Lift selected suspensions now"), permissions=["change"])
    def lift_suspensions(self, request, queryset):
        pending = queryset.filter(lifted_at__isnull=True)
        # The rule of who may suspend whom decides who may lift, too.
        allowed = pending.filter(user__in=User.objects.suspendable_by(request.user))
        refused = sorted(
            set(pending.exclude(pk__in=allowed).values_list("user__username", flat=True)),
            key=str.lower,
        )
        fans = sorted(set(allowed.values_list("user__username", flat=True)), key=str.lower)
        count = allowed.count()
        asked = confirm(
            self,
            request,
            queryset,
            title=gettext("Lift these suspensions now?"),
            consequences=[
                ngettext(
                    "%(count)d suspension will be lifted now.",
                    "%(count)d suspensions will be lifted now.",
                    count,
                )
                % {"count": count},
                ngettext(
                    "%(count)d fan may vote, comment and report again at once.",
                    "%(count)d fans may vote, comment and report again at once.",
                    len(fans),
                )
                % {"count": len(fans)},
            ],
            names=fans,
            refused=refused,
        )
        if asked is not None:
            return asked
        lifted = 0
        for suspension in allowed:
            decisions.lift_suspension(suspension, request.user)
            self.log_change(request, suspension, gettext("Lifted"))
            lifted += 1
        if refused:
            self.message_user(
                request,
                gettext(
                    "Not lifted: %(names)s. Moderators lift fans' suspensions only; "
                    "only a superuser can act on staff."
                )
                % {"names": ", ".join(refused)},
                messages.WARNING,
            )
        self.message_user(
            request,
            ngettext("%(count)d suspension lifted.", "%(count)d suspensions lifted.", lifted)
            % {"count": lifted},
            messages.SUCCESS,
        )


@admin.register(ModerationEvent)
class ModerationEventAdmin(RecordAdmin):
    list_display = ("created_at", "actor", "action", "rule", "target_user", "comment", "reason")
    list_filter = ("action", "rule", "created_at")
    search_fields = ("actor__username", "target_user__username", "reason")
    ordering = ("-created_at", "-pk")
    list_select_related = ("actor", "target_user", "comment")
    date_hierarchy = "created_at"


@admin.register(ReviewRequest)
class ReviewRequestAdmin(admin.ModelAdmin):
    """Authors asking moderators to look again at a hidden comment: restore it or keep it hidden."""

    list_display = (
        "created_at",
        "status",
        "comment_excerpt",
        "rule",
        "requester_link",
        "message_excerpt",
        "decided_by",
    )
    list_display_links = ("created_at",)
    list_filter = ("status", "created_at")
    search_fields = ("requester__username", "comment__body", "message")
    ordering = ("-created_at", "-pk")
    list_select_related = ("comment__author", "decision", "requester", "decided_by")
    fields = (
        "comment_excerpt",
        "rule",
        "note",
        "requester_link",
        "message",
        "status",
        "created_at",
        "decided_at",
        "decided_by",
    )
    readonly_fields = fields
    actions = ["restore_comments", "keep_hidden"]

    # The rights to decide about comments decide about reviews of them too.
    def _may_moderate(self, request):
        return any(request.user.has_perm(p) for p in decisions.MODERATE_COMMENTS)

    def has_module_permission(self, request):
        return self._may_moderate(request)

    def has_view_permission(self, request, obj=None):
        return self._may_moderate(request)

    def has_change_permission(self, request, obj=None):
        return self._may_moderate(request)

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("comment"))
    def comment_excerpt(self, obj):
        return _admin_link(obj.comment, Truncator(obj.comment.body).chars(80))

    @admin.display(description=_("rule broken"))
    def rule(self, obj):
        return obj.decision.get_rule_display()

    @admin.display(description=_("moderator's note"))
    def note(self, obj):
        return obj.decision.reason

    @admin.display(description=_("asked by"), ordering="requester__username")
    def requester_link(self, obj):
        return _admin_link(obj.requester, obj.requester.username if obj.requester_id else "")

    @admin.display(description=_("why it should come back"))
    def message_excerpt(self, obj):
        return Truncator(obj.message).chars(80)

    def _comments(self, queryset):
        return [review.comment for review in queryset.open().select_related("comment")]

    @admin.action(
        description=_("Restore the comments (grant the requests)"), permissions=["change"]
    )
    def restore_comments(self, request, queryset):
        restored = decisions.restore_comments(self._comments(queryset), request.user)
        for comment in restored:
            self.log_change(request, comment, gettext("Restored on review"))
        self.message_user(
            request,
            ngettext(
                "%(count)d comment restored; its author is told.",
                "%(count)d comments restored; their authors are told.",
                len(restored),
            )
            % {"count": len(restored)},
            messages.SUCCESS if restored else messages.INFO,
        )

    @admin.action(description=_("Keep the comments hidden (uphold)"), permissions=["change"])
    def keep_hidden(self, request, queryset):
        upheld = decisions.uphold_hide(self._comments(queryset), request.user)
        for comment in upheld:
            self.log_change(request, comment, gettext("Kept hidden on review"))
        self.message_user(
            request,
            ngettext(
                "%(count)d comment kept hidden; its author is told.",
                "%(count)d comments kept hidden; their authors are told.",
                len(upheld),
            )
            % {"count": len(upheld)},
            messages.SUCCESS if upheld else messages.INFO,
        )


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
        "author_link",
        "concern_link",
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
    list_per_page = 50
    date_hierarchy = "created_at"
    # Moderators act through the actions, which keep the moderation log; the
    # form only shows what a fan wrote.
    fields = (
        "concern",
        "author_name",
        "parent",
        "body",
        "shown_as",
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

    @admin.display(description=_("reply"), boolean=True)
    def is_reply(self, obj):
        return obj.parent_id is not None
