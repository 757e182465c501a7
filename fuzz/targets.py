"""Every URL the site routes, made concrete with the world's rows.

The list comes from the URL resolver and the admin registry, not from a hand
list, so a new view or ModelAdmin is fuzzed the day it lands; `uncovered()`
names any route this module does not know how to fill in.
"""

import re
from dataclasses import dataclass, field

from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver

from discussions.models import Concern

CONVERTER = re.compile(r"<(?:(\w+):)?(\w+)>")


@dataclass
class Target:
    method: str
    route: str  # the resolver's route, for the coverage count
    template: str  # the path with "{}" where each argument goes
    args: list  # the arguments as sent when nothing is hostile
    name: str = ""  # the URL name, "admin:discussions_comment_changelist"
    params: list = field(default_factory=list)  # (name, value): a fan's submission
    pool: dict = field(default_factory=dict)  # name -> values the page offers
    multipart: bool = False
    weight: int = 1

    @property
    def path(self):
        return self.template.format(*self.args)


def routes():
    """(route, name) for every pattern the resolver knows, admin included."""

    def walk(resolver, prefix, namespace):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}:{pattern.namespace}" if pattern.namespace else namespace
                yield from walk(pattern, prefix + str(pattern.pattern), inner.strip(":"))
            elif isinstance(pattern, URLPattern):
                name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else ""
                yield prefix + str(pattern.pattern), name

    return list(walk(get_resolver(), "", ""))


def _admin_pks(world):
    """Two ids of each registered model's rows, for its change, delete and history pages."""
    found = {}
    for model in admin.site._registry:
        pks = [str(pk) for pk in model._default_manager.order_by("pk").values_list("pk", flat=True)]
        found[(model._meta.app_label, model._meta.model_name)] = (pks[:1] + pks[-1:]) or ["1"]
    found[("accounts", "user")] = [str(world.users["fan"].pk), str(world.users["superuser"].pk)]
    return found


def _values(route, name, world, admin_pks):
    """The real values one route argument takes in this world."""
    slugs, pks = world.slugs, world.pks
    if route.startswith("admin/r/"):
        concern = Concern.objects.get(slug=slugs["concern"])
        ct = ContentType.objects.get_for_model(Concern).pk
        return [str(ct)] if name == "content_type_id" else [str(concern.pk)]
    if route.startswith("admin/"):
        parts = route.split("/")
        if name == "id":
            return admin_pks[("accounts", "user")]
        return admin_pks.get((parts[1], parts[2]), ["1"])
    if name == "slug":
        if route.startswith("articles/"):
            return [slugs["article"], "older-piece"]
        if route.startswith("updates/"):
            return [slugs["update"], slugs["draft"], slugs["scheduled"]]
        return [slugs["concern"], slugs["blind"], slugs["quiet"]]
    if name == "username":
        # Their own, another fan's, a suspended fan's, staff's, any case, and nobody's.
        users = world.users
        names = [users[role].username for role in ("fan", "other", "suspended", "moderator")]
        return [*names, users["other"].username.upper(), "no_such_fan"]
    if name == "token" and route.startswith("notifications/unsubscribe/"):
        return world.keys["unsubscribe"]
    if name == "pk" and route.startswith("notifications/"):
        return [str(pks["notification"])]
    if name == "pk":
        keys = ("own", "theirs", "hidden", "deleted", "held", "edited", "authorless")
        return [str(pks[key]) for key in keys]
    return None


def build(world):
    """One GET and one POST target for each concrete path of each route."""
    admin_pks = _admin_pks(world)
    targets = []
    for route, name in routes():
        for template, args in _concrete(route, name, world, admin_pks):
            for method in ("GET", "POST"):
                targets.append(Target(method, route, template, list(args), name))
    return targets


def _concrete(route, name, world, admin_pks):
    if name == "admin:app_list":
        labels = sorted({model._meta.app_label for model in admin.site._registry})
        return [("/admin/{}/", [label]) for label in labels]
    if "(?P<url>" in route:
        return [("/admin/{}", ["no-such-page/"])]
    if route.startswith("accounts/^confirm-email/"):
        return [("/accounts/confirm-email/{}/", [key]) for key in world.keys["confirm-email"]]
    if route.startswith("accounts/^password/reset/key/"):
        return [("/accounts/password/reset/key/{}/", [key]) for key in world.keys["password-reset"]]
    if route.startswith("^") or "(?P<" in route:
        return []
    names = [m.group(2) for m in CONVERTER.finditer(route)]
    template = "/" + CONVERTER.sub("{}", route.replace("{", "{{").replace("}", "}}"))
    if not names:
        return [(template, [])]
    choices = [_values(route, n, world, admin_pks) for n in names]
    if any(c is None for c in choices):
        return []
    # Each argument's values in turn, the others at their first: every row
    # state once without multiplying the routes.
    combos = {tuple(c[0] for c in choices)}
    for i, values in enumerate(choices):
        for value in values:
            combo = [c[0] for c in choices]
            combo[i] = value
            combos.add(tuple(combo))
    return [(template, list(combo)) for combo in sorted(combos)]


def uncovered(targets):
    """Routes that no target reaches: each is a gap in this module."""
    reached = {t.route for t in targets}
    return [route for route, _ in routes() if route not in reached]


# What the public contract (README) and Django's admin accept, for pages
# whose forms a visitor may not see (a fan has no admin forms, a suspended fan
# no comment form) and for query parameters no link on a page spells out.
PUBLIC_QUERY = {
    "concerns/<slug:slug>/": {
        "sort": ["top", "new"],
        "stance": ["justified", "overblown", "undecided", ""],
        "page": ["1", "2", "last"],
    },
    "updates/": {"page": ["1", "2", "last"]},
    "moderation/": {"page": ["1", "2", "last"]},
    "notifications/": {"page": ["1", "last"]},
    "fans/<str:username>/": {"page": ["1", "2", "last"]},
    "search/": {
        "q": ["zombie", "좀비", 'NEAR("a" b) OR text:c*'],
        "sort": ["relevance", "new"],
        "type": ["comments", "fears", "updates"],
        "page": ["1", "2", "last"],
    },
    "accounts/login/": {"next": ["/concerns/x/"]},
    "accounts/signup/": {"next": ["/concerns/x/"]},
}
PUBLIC_FORMS = {
    "concerns/<slug:slug>/vote/": {"verdict": ["justified", "overblown", "clear"]},
    "concerns/<slug:slug>/comments/": {
        "body": ["A fair point about the finale."],
        "parent": [],
        "stance": ["justified", "overblown", "undecided"],
        "is_spoiler": ["on"],
    },
    "concerns/<slug:slug>/follow/": {"follow": ["1", "0"]},
    "fans/<str:username>/mute/": {"mute": ["1", "0"], "next": ["/accounts/profile/"]},
    "accounts/profile/": {
        "display_name": ["On-jo", "fuzz_other"],
        "bio": ["Class 2-5."],
        "votes_public": ["on"],
    },
    "concerns/<slug:slug>/dismiss/": {"update": ["1", "2"]},
    "comments/<int:pk>/helpful/": {"next": ["/"]},
    "comments/<int:pk>/edit/": {
        "body": ["Edited words."],
        "stance": ["justified", "undecided"],
        "is_spoiler": ["on"],
    },
    "comments/<int:pk>/report/": {
        "reason": ["spam", "harassment", "spoiler", "off_topic", "other"],
        "note": ["Please look."],
    },
    "accounts/signup/": {
        "username": ["new_fan"],
        "email": ["new@example.com"],
        "password1": ["a-long-zombie-passphrase"],
        "password2": ["a-long-zombie-passphrase"],
        "is_14_or_older": ["on"],
        "website": [""],
        "next": ["/"],
    },
    "accounts/login/": {
        "login": ["fuzz_fan", "fan@example.com"],
        "password": ["zombie-proof-passphrase-42"],
        "next": ["/"],
    },
    "accounts/logout/": {"next": ["/"]},
    # Never the right one: the roles keep their accounts for the whole epoch.
    "accounts/delete/": {"password": ["wrong"]},
    "i18n/setlang/": {"language": ["ko", "en"], "next": ["/"]},
    "admin/login/": {
        "username": ["fuzz_admin"],
        "password": ["wrong"],
        "next": ["/admin/"],
        "this_is_the_login_form": ["1"],
    },
    "admin/password_change/": {
        "old_password": ["wrong"],
        "new_password1": ["x"],
        "new_password2": ["y"],
    },
    "admin/accounts/user/<id>/password/": {
        "password1": ["x"],
        "password2": ["y"],
        "usable_password": ["true", "false"],
    },
}
ADMIN_LIST_QUERY = {
    "q": ["fan", "Fear"],
    "o": ["1", "-2.1", "3"],
    "p": ["1", "2"],
    "all": [""],
    "e": ["1"],
    "_popup": ["1"],
    "_to_field": ["id"],
    "_facets": ["True"],
    "_changelist_filters": ["q=fan"],
}
ADMIN_LIST_FORM = {
    "action": ["delete_selected"],
    "_selected_action": [],
    "select_across": ["0", "1"],
    "index": ["0"],
    "post": ["yes"],
}
ADMIN_EDIT_FORM = {
    "_save": [""],
    "_continue": [""],
    "_addanother": [""],
    "_saveasnew": [""],
    "_popup": ["1"],
    "_to_field": ["id"],
    "_changelist_filters": ["q=fan"],
}
ADMIN_OBJECT_QUERY = {"_to_field": ["id"], "_popup": ["1"], "_changelist_filters": ["q=fan"]}
ADMIN_AUTOCOMPLETE = {
    "app_label": ["moderation"],
    "model_name": ["suspension"],
    "field_name": ["user"],
    "term": ["fan"],
    "page": ["1", "2"],
}


def known_params(target):
    """The contract's names for this target, with values a fan would send."""
    route, post = target.route, target.method == "POST"
    found = dict(PUBLIC_FORMS.get(route, {}) if post else PUBLIC_QUERY.get(route, {}))
    if route == "admin/autocomplete/" and not post:
        found |= ADMIN_AUTOCOMPLETE
    elif target.name.endswith("_changelist"):
        found |= ADMIN_LIST_FORM if post else ADMIN_LIST_QUERY
        if not post:
            found |= _filter_params(route)
    elif route.startswith("admin/") and post and route.endswith(("/add/", "/change/")):
        found |= ADMIN_EDIT_FORM
    elif route.startswith("admin/") and route.endswith(("/add/", "/change/", "/delete/")):
        found |= ADMIN_OBJECT_QUERY
    elif route.startswith("admin/") and route.endswith("/delete/") and post:
        found |= {"post": ["yes"]}
    elif route.startswith("admin/") and route.endswith("/history/") and not post:
        found |= {"p": ["1", "2"]}
    return found


def _filter_params(route):
    """The filter names a changelist's list_filter and date_hierarchy answer to."""
    _, app_label, model_name, _ = route.split("/")
    model_admin = next(
        (
            ma
            for model, ma in admin.site._registry.items()
            if (model._meta.app_label, model._meta.model_name) == (app_label, model_name)
        ),
        None,
    )
    if model_admin is None:
        return {}
    found = {}
    for spec in model_admin.list_filter:
        name = spec if isinstance(spec, str) else getattr(spec, "parameter_name", None)
        if not isinstance(name, str):
            continue
        for suffix in ("__exact", "__id__exact", "__isnull", "__gte", "__lt", "__in"):
            found[name + suffix] = ["1"]
        found[name] = ["1"]
    if model_admin.date_hierarchy:
        for part, value in (("year", "2024"), ("month", "2"), ("day", "29")):
            found[f"{model_admin.date_hierarchy}__{part}"] = [value]
    return found
