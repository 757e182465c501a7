"""README's comment contract: `body`, optional `parent`, `is_spoiler` and `stance`.

Stance may be left out; a refused comment or reply comes back with everything
the fan entered; the same-text rule counts only comments that were saved.
"""

import re

import pytest
from django.urls import reverse

from discussions.models import Comment
from tests.factories import age_account, make_comment, make_user

pytestmark = pytest.mark.django_db

INLINE = {"HTTP_HX_REQUEST": "true"}


def comments_url(concern):
    return reverse("discussions:comment-create", args=[concern.slug])


@pytest.fixture
def veteran(fan):
    # Older than a day, so only the 10 s rule applies between comments.
    return age_account(fan)


def checked_stance(html):
    """The values of the stance radios that are checked, in page order."""
    inputs = re.findall(r"<input [^>]*>", html)
    return [
        re.search(r'value="(\w+)"', tag).group(1)
        for tag in inputs
        if 'name="stance"' in tag and re.search(r"\schecked\b", tag)
    ]


def test_comment_without_stance_is_undecided(fan_client, concern):
    response = fan_client.post(comments_url(concern), {"body": "No side taken"})
    assert response.status_code == 302
    assert Comment.objects.get().stance == "undecided"


def test_reply_without_stance_is_undecided(fan_client, concern):
    parent = make_comment(concern)
    response = fan_client.post(comments_url(concern), {"body": "A reply", "parent": parent.pk})
    assert response.status_code == 302
    assert Comment.objects.get(body="A reply").stance == "undecided"


def test_inline_reply_without_stance_is_undecided(fan_client, concern):
    parent = make_comment(concern)
    response = fan_client.post(
        comments_url(concern), {"body": "Inline reply", "parent": parent.pk}, **INLINE
    )
    assert response.status_code == 200
    assert Comment.objects.get(body="Inline reply").stance == "undecided"


def test_default_stance_is_the_models_default(concern):
    assert Comment._meta.get_field("stance").default == "undecided"


def test_page_form_preselects_the_default_stance(fan_client, concern):
    html = fan_client.get(concern.get_absolute_url()).text
    assert checked_stance(html.split('id="comment-form"')[1].split("</form>")[0]) == ["undecided"]


def test_editing_without_stance_keeps_the_stance(fan_client, fan, concern):
    comment = make_comment(concern, author=fan, stance="overblown")
    response = fan_client.post(
        reverse("discussions:comment-edit", args=[comment.pk]), {"body": "Fixed typo"}
    )
    assert response.status_code == 302
    comment.refresh_from_db()
    assert (comment.body, comment.stance) == ("Fixed typo", "overblown")


def refused_reply(client, concern, parent, **headers):
    """Post a first comment, then a reply too soon after it, as the fan typed it."""
    client.post(comments_url(concern), {"body": "First"})
    return client.post(
        comments_url(concern),
        {
            "body": "My careful reply",
            "parent": parent.pk,
            "stance": "overblown",
            "is_spoiler": "on",
        },
        **headers,
    )


def test_refused_inline_reply_keeps_body_stance_spoiler_and_parent(fan_client, veteran, concern):
    parent = make_comment(concern)
    response = refused_reply(fan_client, concern, parent, **INLINE)
    html = response.text
    assert response.status_code == 429
    assert "My careful reply" in html
    assert checked_stance(html) == ["overblown"]
    assert re.search(r'name="is_spoiler"[^>]* checked', html)
    assert f'name="parent" value="{parent.pk}"' in html
    assert Comment.objects.count() == 2


def test_refused_reply_without_javascript_keeps_everything(fan_client, veteran, concern):
    parent = make_comment(concern)
    response = refused_reply(fan_client, concern, parent)
    form = response.context["page"].comment_form
    assert response.status_code == 429
    assert form["body"].value() == "My careful reply"
    assert form["stance"].value() == "overblown"
    assert form["is_spoiler"].value() is True
    assert form["parent"].value() == str(parent.pk)


def test_refused_inline_reply_for_length_keeps_its_text(fan_client, concern):
    parent = make_comment(concern)
    body = "Too long " * 600
    response = fan_client.post(
        comments_url(concern),
        {"body": body, "parent": parent.pk, "stance": "justified"},
        **INLINE,
    )
    assert response.status_code == 400
    assert "Comments can be at most 5000 characters" in response.text
    assert body.strip() in response.text
    assert checked_stance(response.text) == ["justified"]


def test_comment_refused_for_speed_can_be_sent_ten_seconds_later(
    fan_client, veteran, concern, clock
):
    fan_client.post(comments_url(concern), {"body": "First"})
    assert fan_client.post(comments_url(concern), {"body": "Second"}).status_code == 429
    clock.advance(10)
    assert fan_client.post(comments_url(concern), {"body": "Second"}).status_code == 302
    assert Comment.objects.filter(body="Second").count() == 1


def test_same_text_wait_counts_from_the_saved_comment(fan_client, veteran, concern, clock):
    fan_client.post(comments_url(concern), {"body": "Said once"})
    clock.advance(11)
    response = fan_client.post(comments_url(concern), {"body": "Said once"})
    assert response.status_code == 429
    assert "You posted this same text a moment ago." in response.text
    assert 280 <= int(response["Retry-After"]) <= 301


def test_same_text_from_another_fan_is_fine(fan_client, veteran, concern):
    make_comment(concern, author=make_user(), body="Great minds")
    assert fan_client.post(comments_url(concern), {"body": "Great minds"}).status_code == 302


def test_same_text_refused_does_not_use_up_the_speed_limit(fan_client, veteran, concern, clock):
    fan_client.post(comments_url(concern), {"body": "Repeat"})
    clock.advance(11)
    assert fan_client.post(comments_url(concern), {"body": "Repeat"}).status_code == 429
    assert fan_client.post(comments_url(concern), {"body": "Fresh"}).status_code == 302


HOSTILE_PARENTS = ["²", "-1", "0", "99999999999999999999", "9223372036854775808", "1e3", "1 2"]


@pytest.mark.parametrize("parent", HOSTILE_PARENTS)
def test_hostile_parent_is_refused_with_message(fan_client, concern, parent):
    response = fan_client.post(comments_url(concern), {"body": "Hi", "parent": parent})
    assert response.status_code == 400
    assert "The comment you are replying to could not be found." in response.text
    assert Comment.objects.count() == 0


# Arabic-Indic and fullwidth digits, which int() reads as 0-9.
OTHER_DIGITS = ["".join(chr(start + i) for i in range(10)) for start in (0x0660, 0xFF10)]


@pytest.mark.parametrize("digits", OTHER_DIGITS, ids=["arabic", "fullwidth"])
def test_parent_in_other_scripts_digits_is_refused(fan_client, concern, digits):
    existing = make_comment(concern)
    lookalike = str(existing.pk).translate(str.maketrans("0123456789", digits))
    response = fan_client.post(comments_url(concern), {"body": "Hi", "parent": lookalike})
    assert response.status_code == 400
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", HOSTILE_PARENTS)
def test_hostile_parent_inline_is_refused_in_the_main_form(fan_client, concern, parent):
    response = fan_client.post(
        comments_url(concern), {"body": "Hi", "parent": parent, "stance": "justified"}, **INLINE
    )
    assert response.status_code == 400
    assert response["HX-Retarget"] == "#comment-form"
    assert "The comment you are replying to could not be found." in response.text
    assert Comment.objects.count() == 0
