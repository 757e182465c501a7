"""The presenters in discussions.pages: what the concern and article pages show, and to whom."""

import re
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.utils import timezone
from django_htmx.middleware import HtmxDetails

from discussions.models import Comment, CommentStatus, Concern, Sort, Stance
from discussions.pages import ArticlePage, ConcernPage, Thread
from news.models import Effect, NewsStatus
from opinion.models import Verdict
from tests.factories import make_article, make_comment, make_concern, make_update, make_vote

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent


def request_for(user=None, query="", **headers):
    request = RequestFactory().get(f"/?{query}", **headers)
    request.user = user or AnonymousUser()
    request.htmx = HtmxDetails(request)
    return request


def concern_page(concern, user=None, query="", **headers):
    concern = Concern.objects.with_tallies().get(pk=concern.pk)
    return ConcernPage(request_for(user, query, **headers), concern)


# The article page and fears that hide their results


@pytest.fixture
def article():
    return make_article()


def titles(client):
    html = client.get("/").text
    return re.findall(r'<h3><a href="/concerns/[^"]+/">([^<]+)</a></h3>', html)


def hidden_fear(article, votes, **fields):
    concern = make_concern(article, results_hidden_until_vote=True, **fields)
    for verdict in votes:
        make_vote(concern, verdict=verdict)
    return concern


def test_hidden_fear_ranks_after_the_others_whatever_its_tally(client, article):
    weak = make_concern(article, title="Weak fear", position=2)
    make_vote(weak, verdict=Verdict.OVERBLOWN)
    hidden_fear(article, [Verdict.JUSTIFIED] * 40, title="Secret fear", position=1)
    assert titles(client) == ["Weak fear", "Secret fear"]


def test_hidden_fears_keep_the_articles_order_whatever_their_tallies(client, article):
    hidden_fear(article, [], title="First secret", position=1)
    hidden_fear(article, [Verdict.JUSTIFIED] * 30, title="Second secret", position=2)
    assert titles(client) == ["First secret", "Second secret"]


def test_the_ranking_is_the_same_with_a_hidden_tally_high_or_low(client, article):
    make_concern(article, title="Open fear", position=3)
    secret = hidden_fear(article, [], title="Secret fear", position=1)
    before = titles(client)
    for _ in range(25):
        make_vote(secret, verdict=Verdict.JUSTIFIED)
    assert titles(client) == before


def test_a_fear_ranks_by_its_tally_once_the_fan_has_voted(fan_client, fan, article):
    weak = make_concern(article, title="Weak fear", position=2)
    make_vote(weak, verdict=Verdict.OVERBLOWN)
    secret = hidden_fear(article, [Verdict.JUSTIFIED] * 40, title="Secret fear", position=1)
    make_vote(secret, user=fan, verdict=Verdict.JUSTIFIED)
    assert titles(fan_client) == ["Secret fear", "Weak fear"]


def test_a_hidden_fear_is_never_called_divisive_or_a_consensus(client, article):
    hidden_fear(article, [Verdict.JUSTIFIED, Verdict.OVERBLOWN] * 6, title="Split secret")
    hidden_fear(article, [Verdict.OVERBLOWN] * 12, title="Agreed secret")
    response = client.get("/")
    page = response.context["page"]
    assert (page.most_divisive, page.clearest_consensus) == (None, None)
    assert "Most divisive" not in response.text
    assert "Clearest consensus" not in response.text


def test_the_ranking_note_says_where_hidden_fears_go(client, article):
    make_concern(article)
    assert "come last" not in client.get("/").text
    hidden_fear(article, [])
    assert "Fears that hide their results until you vote come last" in client.get("/").text


def test_article_page_cards_hide_what_the_visitor_may_not_see(article):
    open_fear = make_concern(article)
    make_vote(open_fear)
    hidden_fear(article, [Verdict.JUSTIFIED])
    cards = ArticlePage(request_for(), article).cards
    assert [(card.results_visible, bool(card.sparkline)) for card in cards] == [
        (True, True),
        (False, False),
    ]


# The concern page


def test_threads_nest_replies_with_their_depth(concern):
    root = make_comment(concern)
    parent = root
    for _ in range(5):
        parent = make_comment(parent=parent)
    thread = concern_page(concern).threads[0]
    depths = []
    while thread:
        depths.append((thread.depth, thread.flattens))
        thread = thread.replies[0] if thread.replies else None
    assert depths == [(0, False), (1, False), (2, False), (3, False), (4, True), (5, True)]


def test_removed_comment_stays_only_while_replies_need_it(concern):
    kept = make_comment(concern, status=CommentStatus.DELETED)
    make_comment(parent=kept, body="Still here")
    gone = make_comment(concern)
    make_comment(parent=gone, status=CommentStatus.HIDDEN)
    Comment.objects.filter(pk=gone.pk).update(status=CommentStatus.DELETED)
    threads = concern_page(concern).threads
    assert [thread.comment for thread in threads] == [kept]
    assert [reply.comment.body for reply in threads[0].replies] == ["Still here"]


def test_only_a_loaded_page_takes_focus(concern):
    make_comment(concern)
    make_comment(concern)
    assert [t.takes_focus for t in concern_page(concern).threads] == [False, False]
    loaded = concern_page(concern, HTTP_HX_REQUEST="true", HTTP_HX_TARGET="load-more")
    assert loaded.loading_more
    assert [t.takes_focus for t in loaded.threads] == [True, False]


def test_posted_reply_is_placed_at_its_depth(concern):
    parent = make_comment(concern)
    for _ in range(3):
        parent = make_comment(parent=parent)
    reply = make_comment(parent=parent)
    page = ConcernPage(request_for(), Concern.objects.get(pk=concern.pk), posted=reply)
    assert page.posted == Thread(page.posted.comment, [], 4, takes_focus=True)
    assert page.posted.comment == reply


def test_controls_follow_who_is_looking(fan, concern):
    own = make_comment(concern, author=fan)
    theirs = make_comment(concern)
    page = concern_page(concern, fan)
    mine, other = page.controls(own), page.controls(theirs)
    assert (mine.edit, mine.delete, mine.report, mine.mark_helpful) == (True, True, False, False)
    assert (other.edit, other.delete, other.report, other.mark_helpful) == (
        False,
        False,
        True,
        True,
    )
    anonymous = concern_page(concern).controls(theirs)
    assert not any(
        [
            anonymous.reply,
            anonymous.edit,
            anonymous.delete,
            anonymous.report,
            anonymous.mark_helpful,
        ]
    )


# Names written once: choices come from their TextChoices


def test_vote_buttons_come_from_the_verdicts(fan, concern):
    make_vote(concern, user=fan, verdict=Verdict.OVERBLOWN)
    page = concern_page(concern, fan)
    assert [(o.value, o.current) for o in page.verdicts] == [
        (Verdict.JUSTIFIED, False),
        (Verdict.OVERBLOWN, True),
    ]
    assert page.switch_verdict == Verdict.JUSTIFIED


def test_reconsider_banner_reads_the_effect(fan, concern):
    make_vote(concern, user=fan, verdict=Verdict.JUSTIFIED)
    make_update(effects=[(concern, Effect.EASES)], published_at=timezone.now())
    page = concern_page(concern, fan)
    assert page.reconsider_eases
    assert page.news_status == NewsStatus.EASED


def test_listing_options_come_from_sort_and_stance(concern):
    page = concern_page(concern, query="sort=top&stance=overblown")
    assert [o.value for o in page.sorts if o.current] == [Sort.TOP]
    assert [o.value for o in page.stances if o.current] == [Stance.OVERBLOWN]
    assert [o.value for o in page.sorts] == Sort.values
    assert [o.value for o in page.stances] == Stance.values


CHOICE_VALUES = {
    *Verdict.values,
    *Stance.values,
    *Sort.values,
    *CommentStatus.values,
    *Effect.values,
    *NewsStatus.values,
    "clear",
}
PAGE_TEMPLATES = [
    "templates/discussions/article_detail.html",
    "templates/discussions/concern_detail.html",
    "templates/discussions/concern_swaps.html",
    "templates/includes/_comment.html",
    "templates/includes/_reply_form.html",
    "templates/includes/_helpful_form.html",
]


@pytest.mark.parametrize("template", PAGE_TEMPLATES)
def test_templates_repeat_no_choice_value(template):
    text = (ROOT / template).read_text()
    in_tags = "".join(re.findall(r"\{[%{].*?[%}]\}", text, flags=re.DOTALL))
    quoted = set(re.findall(r"""["']([a-z_]+)["']""", in_tags))
    values = set(re.findall(r'value="([a-z_]+)"', text))
    assert not (quoted | values) & CHOICE_VALUES
