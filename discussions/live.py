"""What an open concern page polls for: its tally and its comments' count, from the cache.

A reader's page asks every few seconds (static/js/live.js) whether anything
changed, with the ETag of the last answer; most answers are a 304 that
touched only the cache. Polling, not server-sent events: the site runs
gunicorn's sync workers, and an open event stream holds one of them per
reader (docs/decisions.md).

The answer is built once and kept, as whole pages are: an anonymous
reader's by the page cache itself (aouad.pagecache), a signed-in fan's here,
keyed by the concern and the language. Either is stamped with the content
version it was built under and served for at most TALLY_FRESH_SECONDS after
it began to be built, so a new, hidden or deleted comment shows in the next
answer and the tally lags no more than the page's does. Its ETag is a
digest of what it says, so a write elsewhere on the site or a vote that
changes nothing shown does not send every reader a new copy.

A concern that hides its results until the fan votes has two answers: the one
every anonymous visitor and every fan yet to vote gets (no figures at all),
and the one with the figures, for fans who voted. Only the second asks the
database, whether the fan voted.
"""

import hashlib
import json
import time
from dataclasses import dataclass
from types import SimpleNamespace

from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import get_language

from caching.fresh import fresh_for, fresh_reads, still_fresh
from caching.store import CONTENT_SECONDS, cached, portable_key
from caching.versions import CONTENT
from opinion.established import established_tally
from opinion.models import Vote

from .models import Comment, Concern
from .pages import comment_counts, with_current_tallies

# The two answers a concern can have: as everyone may see it, or with the
# results a concern hides until the fan votes.
PUBLIC = "public"
RESULTS = "results"


@dataclass(frozen=True)
class LiveAnswer:
    """One answer as kept in the cache: JSON, or None for a concern that is not there."""

    body: bytes | None
    etag: str
    version: str
    built_at: float
    concern_pk: int | None = None
    hides_results: bool = False

    @property
    def found(self):
        return self.body is not None


def _key(slug, language, variant):
    # The slug is the visitor's: it goes through portable_key.
    return portable_key(f"discussions:live:{variant}:{language}:{slug}")


def _fresh(kept, version):
    return kept is not None and kept.version == version and still_fresh(kept.built_at)


def _newest_comment(concern):
    """The newest visible comment's pk (0 without any), once per content version."""

    def newest():
        found = Comment.objects.visible().filter(concern=concern).order_by("-pk")
        return (found.values_list("pk", flat=True).first() or 0,)

    return cached(("live-newest", concern.pk), newest, CONTENT_SECONDS)[0]


def _build(slug, version, with_results):
    """Read the concern now, from the primary, and say what its page would show."""
    built_at = time.time()
    with fresh_reads():
        found = with_current_tallies(Concern.objects.filter(slug=slug))
        if not found:
            return LiveAnswer(None, "", version, built_at)
        concern = found[0]
        visible = with_results or not concern.results_hidden_until_vote
        tally = concern.tally
        shown = SimpleNamespace(
            results_visible=visible,
            tally=tally,
            established=established_tally(concern, tally) if visible else None,
        )
        data = {
            "comments": comment_counts().get(concern.pk, 0),
            "newest": _newest_comment(concern),
            "results_visible": visible,
            "tally": {"justified": tally.justified, "overblown": tally.overblown}
            if visible
            else None,
            # The vote panel's figures as the page draws them, in the reader's language.
            "tally_html": render_to_string(
                "discussions/concern_detail.html#live-tally", {"page": shown}
            ).strip(),
        }
    body = json.dumps(data, sort_keys=True).encode()
    etag = f'"{hashlib.sha256(body).hexdigest()[:24]}"'
    return LiveAnswer(body, etag, version, built_at, concern.pk, concern.results_hidden_until_vote)


def _kept_or_built(key, version, kept, slug, with_results):
    if _fresh(kept, version):
        return kept
    answer = _build(slug, version, with_results)
    if fresh_for():
        # Expiry only frees memory; freshness is checked against built_at.
        cache.set(key, answer, fresh_for() + 1)
    return answer


def live_answer(user, slug):
    """The answer for this visitor: from the cache, built when stale or missing.

    Anonymous visitors' answers are kept whole by the page cache
    (aouad.pagecache), which answers them before the session is read, and
    kept a second time here they would lag twice as long: they are built.
    A fan's costs no query but the session's, while a fresh copy is kept,
    and one more on a concern that hides its results (did they vote?).
    """
    language = get_language()
    key = _key(slug, language, PUBLIC)
    version, kept = CONTENT.read_with(key)
    if not user.is_authenticated:
        return _build(slug, version, with_results=False)
    answer = _kept_or_built(key, version, kept, slug, with_results=False)
    if not (answer.hides_results and user.is_authenticated):
        return answer
    if not Vote.objects.filter(user=user, concern_id=answer.concern_pk).exists():
        return answer
    key = _key(slug, language, RESULTS)
    return _kept_or_built(key, version, cache.get(key), slug, with_results=True)
