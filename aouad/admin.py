from functools import wraps

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.exceptions import DisallowedModelAdminLookup
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.views.main import ERROR_FLAG, ChangeList
from django.contrib.admin.widgets import AutocompleteSelect
from django.contrib.auth import REDIRECT_FIELD_NAME
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import DataError, connection
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from accounts.redirects import same_site_path
from accounts.second_factor import codes_to_renew
from moderation.bursts import BurstReport, burst_on, may_watch_bursts
from moderation.models import ReportedComment


class TolerantChangeList(ChangeList):
    """A change list that treats a value the query cannot take as a bad filter.

    Django turns a bad filter into IncorrectLookupParameters (back to the
    whole list with ?e=1) only when it fails while the queryset is built.
    These fail later, and were 500s: a date-hierarchy year of 9999 (the next
    year does not exist) or one too big for an int; a year lookup past 9999
    or a one-value __range (when the query compiles); an id too big for
    SQLite, an invalid regular expression on PostgreSQL (when it runs).
    """

    def get_filters(self, request):
        try:
            return super().get_filters(request)
        except (ValueError, OverflowError, DisallowedModelAdminLookup) as exc:
            # A lookup the admin refuses (a fan's address, for a moderator) is
            # dropped like any bad filter: Django's 400 logged a traceback at
            # ERROR for every probe.
            raise IncorrectLookupParameters(exc) from exc

    def get_results(self, request):
        try:
            super().get_results(request)
        except (ValueError, OverflowError, IndexError, DataError) as exc:
            raise IncorrectLookupParameters(exc) from exc


# Longer searches help no one, and SQLite gives up on a LIKE pattern past
# 50,000 characters with an error that looks like an outage.
SEARCH_MAX_LENGTH = 200


def fits_column(field, value):
    """Whether value could be stored in field: the right type, and within range for integers."""
    try:
        value = field.to_python(value)
    except ValidationError:
        return False
    if isinstance(value, int):
        low, high = connection.ops.integer_field_range(field.get_internal_type())
        return (low is None or value >= low) and (high is None or value <= high)
    return True


class TolerantAutocompleteSelect(AutocompleteSelect):
    """An autocomplete that re-shows a refused form even when its value was forged.

    Django looks the selected value up again to label it; "1.5" or an id past
    the column's range failed there (a 500) after the form had already said
    the choice was invalid.
    """

    def optgroups(self, name, value, attr=None):
        target = self.field.remote_field.get_related_field()
        value = [v for v in value if v in ("", None) or fits_column(target, v)]
        return super().optgroups(name, value, attr)


class TolerantAdminMixin:
    """What every ModelAdmin on this site does with values it cannot use.

    FearCheckAdminSite.register mixes it into each one, so the admins of
    django.contrib.auth and django-axes get it too.
    """

    def get_changelist(self, request, **kwargs):
        return TolerantChangeList

    def get_changelist_instance(self, request):
        try:
            return super().get_changelist_instance(request)
        except IncorrectLookupParameters:
            # Django then shows the whole list with no word of why.
            if ERROR_FLAG not in request.GET:
                self.message_user(
                    request,
                    _("That filter or search isn't valid, so the whole list is shown."),
                    messages.WARNING,
                )
            raise

    def get_object(self, request, object_id, from_field=None):
        # Django checks ?_to_field= only when it is not empty; an empty one
        # then named no field at all (a 500). It means no field: the key.
        return super().get_object(request, object_id, from_field or None)

    def get_search_results(self, request, queryset, search_term):
        return super().get_search_results(request, queryset, search_term[:SEARCH_MAX_LENGTH])

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TolerantAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def lookup_allowed(self, lookup, value, request):
        # Nothing here links to a regex filter, and a bad pattern typed into the
        # address fails inside SQLite with an error that cannot be told from an
        # outage.
        if lookup.endswith(("__regex", "__iregex")):
            return False
        return super().lookup_allowed(lookup, value, request)

    def response_action(self, request, queryset, *args, **kwargs):
        # The checkboxes only ever send ids; anything else ("abc", "", an id
        # past the column's range) failed in the action's filter, a 500. The
        # change form already answers a forged selection with 400.
        pk = self.opts.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.clean(value, None)
        except ValidationError as exc:
            raise BadRequest("The selection is not a list of ids.") from exc
        return super().response_action(request, queryset, *args, **kwargs)


class FearCheckAdminSite(admin.AdminSite):
    """The staff site: curation and moderation, with the review queue's size in view."""

    site_header = _("All of Us Are Dead: Season 2 fears — staff")
    site_title = _("Season 2 fears admin")
    index_title = _("Curation and moderation")
    index_template = "admin/site_index.html"

    def get_urls(self):
        return [
            path("vote-bursts/", self.admin_view(self.vote_bursts), name="vote-bursts"),
            *super().get_urls(),
        ]

    def vote_bursts(self, request):
        """Votes per hour from new accounts against the usual rate (moderation.bursts)."""
        if not may_watch_bursts(request.user):
            raise PermissionDenied
        context = {
            **self.each_context(request),
            "title": _("Vote bursts from new accounts"),
            "report": BurstReport(),
        }
        return TemplateResponse(request, "admin/vote_bursts.html", context)

    def index(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            # Codes made before the code was asked on every path may have been seen.
            "renew_codes": codes_to_renew(request.user),
        }
        # Moderators see a link to the bursts, and an alert while one is on.
        if may_watch_bursts(request.user):
            extra_context |= {"watches_bursts": True, "burst_on": burst_on()}
        return super().index(request, extra_context)

    def login(self, request, extra_context=None):
        """The admin has no log-in of its own: the site's asks for the second factor.

        Django's page took a password alone, so it answered every request,
        GET or POST, with a way round the code.
        """
        target = same_site_path(request, request.GET.get(REDIRECT_FIELD_NAME, "")) or reverse(
            "admin:index"
        )
        return redirect(f"{reverse('accounts:login')}?{urlencode({REDIRECT_FIELD_NAME: target})}")

    def has_permission(self, request):
        # Staff who signed in without their second factor are fans here too.
        return request.user.is_authenticated and request.user.acts_as_staff

    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        if not issubclass(admin_class, TolerantAdminMixin):
            admin_class = type(
                admin_class.__name__,
                (TolerantAdminMixin, admin_class),
                {"__module__": admin_class.__module__, "__doc__": admin_class.__doc__},
            )
        super().register(model_or_iterable, admin_class, **options)

    def admin_view(self, view, cacheable=False):
        @wraps(view)
        def refuse_unusable(request, *args, **kwargs):
            # No field here can hold a NUL byte (PostgreSQL refuses it in any
            # string, so every filter, search or autocomplete with one was a
            # 500); say so with a 400, on every database alike.
            for data in (request.GET, request.POST):
                for key, values in data.lists():
                    if "\x00" in key or any("\x00" in value for value in values):
                        raise BadRequest("NUL byte in a parameter.")
            try:
                return view(request, *args, **kwargs)
            except OverflowError as exc:
                # SQLite cannot even bind an integer past 64 bits, wherever a
                # form or filter passes one on (the ids of a many-to-many
                # field, say); PostgreSQL answers those with "no such row".
                raise BadRequest("A number is out of range.") from exc

        return super().admin_view(refuse_unusable, cacheable)

    def get_app_list(self, request, app_label=None):
        app_list = super().get_app_list(request, app_label)
        for app in app_list:
            for model in app["models"]:
                if model["model"] is ReportedComment:
                    model["name"] = _("%(name)s (%(count)d open)") % {
                        "name": model["name"],
                        "count": ReportedComment.objects.needing_review().count(),
                    }
        return app_list
