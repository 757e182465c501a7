import pytest
from django.utils import timezone

from discussions.models import Comment, HelpfulMark
from tests.factories import make_comment, make_suspension, make_user

pytestmark = pytest.mark.django_db


def helpful_url(comment):
    return f"/comments/{comment.pk}/helpful/"


def aged(comment, hours):
    Comment.objects.filter(pk=comment.pk).update(
        created_at=timezone.now() - timezone.timedelta(hours=hours)
    )
    return comment


def mark(comment, times):
    for _ in range(times):
        HelpfulMark.objects.create(user=make_user(), comment=comment)


def listing(client, concern, **params):
    response = client.get(concern.get_absolute_url(), params)
    return [thread.comment.body for thread in response.context["page"].threads]


def test_fan_marks_a_comment_helpful(fan_client, fan, concern):
    comment = make_comment(concern)
    response = fan_client.post(helpful_url(comment), {"next": concern.get_absolute_url()})
    assert response.url == f"{concern.get_absolute_url()}#comment-{comment.pk}"
    assert HelpfulMark.objects.filter(user=fan, comment=comment).exists()


def test_marking_again_takes_the_mark_back(fan_client, concern):
    comment = make_comment(concern)
    fan_client.post(helpful_url(comment))
    fan_client.post(helpful_url(comment))
    assert not HelpfulMark.objects.exists()


def test_own_comment_cannot_be_marked(fan_client, fan, concern):
    own = make_comment(concern, author=fan)
    response = fan_client.post(helpful_url(own), follow=True)
    assert "You can&#x27;t mark your own comment as helpful." in response.text
    assert not HelpfulMark.objects.exists()


def test_anonymous_mark_goes_to_login(client, concern):
    response = client.post(helpful_url(make_comment(concern)))
    assert response.url.startswith("/accounts/login/")


def test_suspended_fan_cannot_mark(fan_client, fan, concern):
    make_suspension(fan)
    response = fan_client.post(helpful_url(make_comment(concern)))
    assert response.status_code == 403
    assert "Your account is suspended." in response.text
    assert not HelpfulMark.objects.exists()


HOSTILE_NEXT = [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example/",
    "javascript:alert(1)",
    "foo",
    "../admin/",
    "/concerns/\x00/",
    "/" + "a" * 5000 + "\n",
    "",
]


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_next_that_is_not_a_path_here_falls_back_to_the_comment(fan_client, concern, target):
    comment = make_comment(concern)
    response = fan_client.post(helpful_url(comment), {"next": target})
    assert response.status_code == 302
    assert response.url == comment.get_absolute_url()


def test_next_given_twice_uses_one_path(fan_client, concern):
    comment = make_comment(concern)
    page = concern.get_absolute_url()
    response = fan_client.post(helpful_url(comment), {"next": ["https://evil.example/", page]})
    assert response.url == f"{page}#comment-{comment.pk}"


@pytest.mark.parametrize("target", HOSTILE_NEXT)
def test_inline_mark_never_echoes_a_hostile_next(fan_client, concern, target):
    comment = make_comment(concern)
    response = fan_client.post(helpful_url(comment), {"next": target}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert 'name="next" value=""' in response.text


def test_mark_count_and_pressed_state_show_on_the_page(fan_client, concern):
    comment = make_comment(concern)
    mark(comment, 2)
    fan_client.post(helpful_url(comment))
    html = fan_client.get(concern.get_absolute_url()).text
    assert 'class="btn btn-sm btn-helpful is-marked" aria-pressed="true"' in html
    assert '<span class="helpful-count">3</span>' in html


def test_top_sort_puts_the_most_helpful_first(client, concern):
    make_comment(concern, body="plain")
    liked = aged(make_comment(concern, body="liked"), hours=1)
    mark(liked, 5)
    assert listing(client, concern, sort="top")[:2] == ["liked", "plain"]
    assert listing(client, concern, sort="new")[:2] == ["plain", "liked"]


def test_top_sort_lets_a_good_new_comment_beat_an_old_favourite(client, concern):
    old = aged(make_comment(concern, body="old favourite"), hours=72)
    mark(old, 10)
    new = aged(make_comment(concern, body="new and good"), hours=1)
    mark(new, 3)
    assert listing(client, concern, sort="top")[:2] == ["new and good", "old favourite"]


def test_stance_filter_keeps_only_that_side(client, concern):
    make_comment(concern, body="yes", stance="justified")
    make_comment(concern, body="no", stance="overblown")
    assert listing(client, concern, stance="overblown") == ["no"]


def test_unknown_sort_and_stance_fall_back_quietly(client, concern):
    make_comment(concern, body="anything")
    response = client.get(concern.get_absolute_url(), {"sort": "<x>", "stance": "maybe"})
    assert response.status_code == 200
    page = response.context["page"]
    assert (page.sort, page.stance) == ("new", "")


def test_pagination_links_keep_sort_and_stance(client, concern):
    for i in range(55):
        make_comment(concern, body=f"c{i}", stance="justified")
    html = client.get(concern.get_absolute_url(), {"sort": "top", "stance": "justified"}).text
    assert (
        f'href="/concerns/{concern.slug}/?sort=top&amp;stance=justified&amp;page=2#comments"'
        in html
    )


def test_best_arguments_side_by_side(client, concern):
    yes = make_comment(concern, body="Strong yes", stance="justified")
    no = make_comment(concern, body="Strong no", stance="overblown")
    make_comment(concern, body="Shrug", stance="undecided")
    mark(yes, 2)
    mark(no, 1)
    response = client.get(concern.get_absolute_url())
    best = {side.stance: side.comments for side in response.context["page"].best_arguments}
    assert ([c.excerpt for c in best["justified"]], [c.excerpt for c in best["overblown"]]) == (
        ["Strong yes"],
        ["Strong no"],
    )
    assert "The best arguments on each side" in response.text
