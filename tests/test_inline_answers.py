"""What htmx receives after an inline action: the part it asked for, and out of
band every other part of the concern page the action changed."""

from html.parser import HTMLParser

import pytest

from notifications.delivery import follow_concern, unfollow_concern
from tests.factories import make_comment

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


class _Parts(HTMLParser):
    """Collect the text of each out-of-band element, keyed by its id."""

    def __init__(self):
        super().__init__()
        self.parts, self.open = {}, []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "data-hx-swap-oob" in attrs and not self.open:
            key = attrs.get("id") or attrs["data-hx-swap-oob"]
            self.open.append([key, tag, 0])
            self.parts[key] = self.get_starttag_text()
        elif self.open:
            self.parts[self.open[0][0]] += self.get_starttag_text()
            if tag == self.open[0][1]:
                self.open[0][2] += 1

    def handle_endtag(self, tag):
        if not self.open:
            return
        key, open_tag, depth = self.open[0]
        if tag == open_tag and depth == 0:
            self.open.clear()
            return
        if tag == open_tag:
            self.open[0][2] -= 1
        self.parts[key] += f"</{tag}>"

    def handle_data(self, data):
        if self.open:
            self.parts[self.open[0][0]] += data


def oob(response):
    """Map each out-of-band part of an htmx answer (its id, or its swap) to its HTML."""
    assert response.status_code == 200, response.status_code
    parser = _Parts()
    parser.feed(response.text)
    return parser.parts


def post_comment(client, concern, **data):
    return client.post(f"/concerns/{concern.slug}/comments/", data, **HTMX)


def test_concern_page_keeps_slots_for_parts_that_fill_in_place(client, concern):
    html = client.get(concern.get_absolute_url()).text
    assert '<div id="comments-empty"><p class="empty">No comments here yet.' in html
    assert '<div id="best-arguments-slot">' in html


def test_first_comment_clears_the_empty_text(fan_client, concern):
    parts = oob(post_comment(fan_client, concern, body="First!"))
    assert parts["comments-empty"] == '<div id="comments-empty" data-hx-swap-oob="true">'


def test_posted_comment_refreshes_the_count(fan_client, concern):
    make_comment(concern)
    parts = oob(post_comment(fan_client, concern, body="Second"))
    assert parts["comments-heading"].endswith(">2 comments")


def test_first_comment_shows_the_fan_following(fan_client, concern):
    parts = oob(post_comment(fan_client, concern, body="Count me in"))
    assert 'aria-pressed="true"' in parts["follow-form"]


def test_comment_after_unfollowing_leaves_the_follow_button_off(fan_client, fan, concern):
    follow_concern(fan, concern)
    unfollow_concern(fan, concern)
    parts = oob(post_comment(fan_client, concern, body="Still here"))
    assert 'aria-pressed="false"' in parts["follow-form"]


def test_first_vote_shows_the_fan_following(fan_client, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/vote/", {"verdict": "justified"}, **HTMX)
    assert 'aria-pressed="true"' in oob(response)["follow-form"]


def test_comment_with_a_stance_joins_the_best_arguments(fan_client, concern):
    parts = oob(post_comment(fan_client, concern, body="A strong case", stance="justified"))
    assert "A strong case" in parts["best-arguments-slot"]


def test_reply_to_a_reply_lands_under_that_reply(fan_client, concern):
    reply = make_comment(parent=make_comment(concern))
    parts = oob(post_comment(fan_client, concern, body="Deeper", parent=reply.pk))
    assert "Deeper" in parts[f"beforeend:#replies-{reply.pk}"]


def test_reply_deep_in_a_thread_nests_as_the_page_does(fan_client, concern):
    parent = make_comment(concern)
    for _ in range(3):
        parent = make_comment(parent=parent)
    parts = oob(post_comment(fan_client, concern, body="Fifth level", parent=parent.pk))
    new = parent.replies.get()
    page = fan_client.get(concern.get_absolute_url()).text
    flat = f'class="comment-replies comment-replies-flat" id="replies-{new.pk}"'
    assert flat in parts[f"beforeend:#replies-{parent.pk}"]
    assert flat in page


def test_helpful_mark_reorders_the_best_arguments(fan_client, concern):
    older = make_comment(concern, body="Older case", stance="justified")
    make_comment(concern, body="Newer case", stance="justified")
    response = fan_client.post(f"/comments/{older.pk}/helpful/", **HTMX)
    best = oob(response)["best-arguments-slot"]
    assert best.index("Older case") < best.index("Newer case")


def test_helpful_mark_shows_the_new_count_in_place(fan_client, concern):
    comment = make_comment(concern)
    response = fan_client.post(f"/comments/{comment.pk}/helpful/", **HTMX)
    assert '<span class="helpful-count">1</span>' in response.text
    assert 'aria-pressed="true"' in response.text


def test_unfollow_flips_the_button_in_place(fan_client, fan, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/follow/", {"follow": "0"}, **HTMX)
    assert 'name="follow" value="1"' in response.text
    assert 'aria-pressed="false"' in response.text
