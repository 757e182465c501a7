import pytest
from django.urls import reverse
from django.utils import timezone

from discussions.models import Comment, CommentRevision
from moderation import decisions
from moderation.models import Rule
from tests.factories import make_comment, make_moderator, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def own(concern, fan):
    return make_comment(concern, author=fan, body="First thoughts", stance="justified")


def edit_url(comment):
    return reverse("discussions:comment-edit", args=[comment.pk])


def delete_url(comment):
    return reverse("discussions:comment-delete", args=[comment.pk])


def test_author_sees_edit_and_delete_links(fan_client, own):
    html = fan_client.get(own.concern.get_absolute_url()).text
    assert edit_url(own) in html
    assert delete_url(own) in html


def test_others_see_report_not_edit(client, own):
    client.force_login(make_user())
    html = client.get(own.concern.get_absolute_url()).text
    assert edit_url(own) not in html
    assert f"/comments/{own.pk}/report/" in html


def test_edit_form_is_prefilled(fan_client, own):
    response = fan_client.get(edit_url(own))
    assert response.status_code == 200
    assert "First thoughts" in response.text


def test_author_edits_within_window_and_comment_shows_edited(fan_client, own):
    response = fan_client.post(
        edit_url(own), {"body": "Second thoughts", "stance": "overblown"}, follow=True
    )
    assert "Your comment is updated." in response.text
    own.refresh_from_db()
    assert (own.body, own.stance, own.is_spoiler) == ("Second thoughts", "overblown", False)
    assert own.edited_at is not None
    assert '<span class="comment-edited"' in response.text


def test_edit_keeps_the_earlier_version(fan_client, own):
    fan_client.post(edit_url(own), {"body": "v2", "stance": "justified"})
    fan_client.post(edit_url(own), {"body": "v3", "stance": "justified"})
    assert list(CommentRevision.objects.order_by("pk").values_list("body", flat=True)) == [
        "First thoughts",
        "v2",
    ]


def test_saving_unchanged_text_adds_no_version(fan_client, own):
    fan_client.post(edit_url(own), {"body": "First thoughts", "stance": "justified"})
    assert not CommentRevision.objects.exists()


def test_moderators_see_earlier_versions_in_admin(client, fan_client, own):
    fan_client.post(edit_url(own), {"body": "Cleaned up", "stance": "justified"})
    client.force_login(make_moderator())
    html = client.get(reverse("admin:discussions_comment_change", args=[own.pk])).text
    assert "First thoughts" in html
    assert "Cleaned up" in html


def test_invalid_edit_keeps_the_typed_text_and_explains(fan_client, own):
    response = fan_client.post(edit_url(own), {"body": "y" * 5001, "stance": "justified"})
    assert response.status_code == 400
    assert "at most 5000 characters" in response.text
    own.refresh_from_db()
    assert own.body == "First thoughts"


def test_edit_after_fifteen_minutes_is_refused(fan_client, own):
    Comment.objects.filter(pk=own.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=16)
    )
    response = fan_client.post(edit_url(own), {"body": "Too late", "stance": "justified"})
    assert response.status_code == 403
    assert "can no longer be edited" in response.text
    own.refresh_from_db()
    assert own.body == "First thoughts"


def test_edit_link_disappears_after_window(fan_client, own):
    Comment.objects.filter(pk=own.pk).update(
        created_at=timezone.now() - timezone.timedelta(minutes=16)
    )
    assert edit_url(own) not in fan_client.get(own.concern.get_absolute_url()).text


def test_nobody_else_edits_a_comment(client, own):
    client.force_login(make_user())
    response = client.post(edit_url(own), {"body": "hijack", "stance": "justified"})
    assert response.status_code == 403
    own.refresh_from_db()
    assert own.body == "First thoughts"


def test_moderators_cannot_edit_outside_admin(client, own):
    client.force_login(make_moderator())
    assert client.post(edit_url(own), {"body": "x", "stance": "justified"}).status_code == 403


def test_nobody_else_deletes_a_comment(client, own):
    client.force_login(make_user())
    assert client.post(delete_url(own)).status_code == 403
    own.refresh_from_db()
    assert own.status == "visible"


def test_delete_asks_for_confirmation(fan_client, own):
    response = fan_client.get(delete_url(own))
    assert response.status_code == 200
    assert "Delete your comment?" in response.text
    own.refresh_from_db()
    assert own.status == "visible"


def test_deleted_comment_with_replies_shows_placeholder_in_place(fan_client, own):
    reply = make_comment(parent=own, body="I agree")
    fan_client.post(delete_url(own))
    html = fan_client.get(own.concern.get_absolute_url()).text
    assert "[deleted]" in html
    assert "First thoughts" not in html
    assert "I agree" in html
    assert html.index("[deleted]") < html.index("I agree")
    own.refresh_from_db()
    assert (own.status, own.body) == ("deleted", "First thoughts")
    assert reply.parent_id == own.pk


def test_deleted_comment_without_replies_leaves_the_page(fan_client, own):
    fan_client.post(delete_url(own))
    html = fan_client.get(own.concern.get_absolute_url()).text
    assert "[deleted]" not in html
    assert "First thoughts" not in html


def test_hidden_comment_with_replies_shows_removed_placeholder(client, own):
    make_comment(parent=own, body="Context matters")
    decisions.hide_comments([own], make_moderator(), Rule.RESPECT)
    html = client.get(own.concern.get_absolute_url()).text
    assert "[removed by moderators]" in html
    assert "First thoughts" not in html
    assert "Context matters" in html


def test_placeholder_chain_keeps_deep_visible_reply(client, own):
    middle = make_comment(parent=own, body="middle")
    make_comment(parent=middle, body="deep reply")
    decisions.hide_comments([own, middle], make_moderator(), Rule.RESPECT)
    html = client.get(own.concern.get_absolute_url()).text
    assert html.count("[removed by moderators]") == 2
    assert "deep reply" in html


def test_deleting_twice_is_harmless(fan_client, own):
    fan_client.post(delete_url(own))
    response = fan_client.post(delete_url(own), follow=True)
    assert "That comment is already gone." in response.text
