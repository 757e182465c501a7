"""Named versions: a token for some cached material, replaced by every write to it.

Whatever is cached from content is kept under the token as it stood, so a
write leaves every older copy behind: it is never asked for again. A token
is random, not a counter, so a cache that lost it (restarted, evicted) can
never come back to an old version's copies. Three are named:

- CONTENT: what pages show besides tallies (comments and their marks,
  concerns, articles, Season 2 news, what a fan shows of themselves).
  Rare writes, shown to everyone at once.
- NEWS: Season 2 updates and their effects, for what is worked out from
  them alone (the windows of each update's effect, the established fans, a
  digest's news) and need not follow every comment.
- HISTORY: the vote history of past days, which only a replay, a removal or
  a repair rewrites; sums of settled days are kept under it.

Apps declare which of their models are content (`content` on their
AppConfig, a list of `Content`): a write to one replaces its versions, now
and again when the transaction commits, since a page filled between the two
still read the old rows and kept them under the first new token.
"""

import contextlib
import contextvars
import secrets
from dataclasses import dataclass

from django.apps import apps
from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save


class Version:
    def __init__(self, name):
        self.name = name
        self.key = f"version:{name}"

    def __repr__(self):
        return f"Version({self.name!r})"

    def current(self):
        """The token as it stands: read once per request, or this request's own new one."""
        memo = _memo.get()
        if memo is not None and self.name in memo:
            return memo[self.name]
        token = cache.get(self.key)
        if token is None:
            # The first reader after a restart: whoever adds first names the version.
            cache.add(self.key, secrets.token_hex(8), None)
            token = cache.get(self.key) or secrets.token_hex(8)
        if memo is not None:
            memo[self.name] = token
        return token

    def read_with(self, key):
        """The token and the value cached under `key`, in one round trip.

        For what keeps its version inside the value rather than in its key
        (whole pages, read on every anonymous request).
        """
        memo = _memo.get()
        if memo is not None and self.name in memo:
            return memo[self.name], cache.get(key)
        found = cache.get_many([self.key, key])
        token = found.get(self.key)
        if token is None:
            token = self.current()
        elif memo is not None:
            memo[self.name] = token
        return token, found.get(key)

    def replace(self):
        """Leave everything cached under this version behind: now, and when the work commits."""
        self._new()
        transaction.on_commit(self._new)

    def _new(self):
        token = secrets.token_hex(8)
        cache.set(self.key, token, None)
        memo = _memo.get()
        if memo is not None:
            memo[self.name] = token


CONTENT = Version("content")
NEWS = Version("news")
HISTORY = Version("history")

_memo = contextvars.ContextVar("caching_versions", default=None)


@contextlib.contextmanager
def one_read_per_request():
    """Read each version once for everything this request caches, not once per fragment."""
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


@dataclass(frozen=True)
class Content:
    """A model whose rows cached parts show, as an app declares it (AppConfig.content).

    `versions` are replaced by every write to it; none when what caches keep
    from it is keyed otherwise (a tally, the vote history's version).
    `fields`: a save naming only other fields changes nothing shown (a
    log-in's last_login). `new_rows`: whether a row just made is shown yet.
    """

    model: str
    versions: tuple = (CONTENT,)
    fields: frozenset | None = None
    new_rows: bool = True


def declared_content():
    """{model class: its Content}, from every installed app's declaration."""
    declared = {}
    for config in apps.get_app_configs():
        for content in getattr(config, "content", ()):
            label = content.model if "." in content.model else f"{config.label}.{content.model}"
            declared[apps.get_model(label)] = content
    return declared


def _receivers(content):
    def saved(sender, created=False, update_fields=None, **kwargs):
        if created and not content.new_rows:
            return
        named = update_fields is not None and content.fields is not None
        if not created and named and not content.fields & set(update_fields):
            return
        for version in content.versions:
            version.replace()

    def deleted(sender, **kwargs):
        for version in content.versions:
            version.replace()

    return saved, deleted


def connect_declared_content():
    """Connect each declared model, and its proxies, to the versions it replaces.

    One sender at a time, never every model: a post_delete receiver for any
    sender would stop Django deleting rows of every other model in bulk (it
    would load each row to send the signal).
    """
    declared = declared_content()
    for model in apps.get_models():
        content = next((c for m, c in declared.items() if issubclass(model, m)), None)
        if content is None or not content.versions:
            continue
        saved, deleted = _receivers(content)
        label = model._meta.label_lower
        post_save.connect(saved, sender=model, weak=False, dispatch_uid=f"content-saved:{label}")
        post_delete.connect(
            deleted, sender=model, weak=False, dispatch_uid=f"content-deleted:{label}"
        )
