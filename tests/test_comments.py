import pytest
from django.urls import reverse

from discussions.models import Comment
from tests.factories import (
    count_queries,
    make_comment,
    make_concern,
    make_newcomer,
    make_suspension,
    make_user,
)

pytestmark = pytest.mark.django_db


def comments_url(concern):
    return reverse("discussions:comment-create", args=[concern.slug])


def post_comment(client, concern, **data):
    return client.post(comments_url(concern), {"stance": "undecided", **data})


def test_anonymous_comment_redirects_to_login(client, concern):
    response = post_comment(client, concern, body="Hello")
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next=/concerns/{concern.slug}/"
    assert Comment.objects.count() == 0


def test_fan_posts_comment_and_lands_on_its_anchor(fan_client, fan, concern):
    response = post_comment(fan_client, concern, body="Gwi-nam will be back.", stance="justified")
    comment = Comment.objects.get()
    assert response.status_code == 302
    assert response.url == f"/concerns/{concern.slug}/#comment-{comment.pk}"
    assert (comment.author, comment.stance, comment.is_spoiler) == (fan, "justified", False)


def test_posted_comment_shows_on_concern_page(fan_client, concern):
    post_comment(fan_client, concern, body="On-jo deserves better.")
    response = fan_client.get(concern.get_absolute_url())
    comment = Comment.objects.get()
    assert f'id="comment-{comment.pk}"' in response.text
    assert "On-jo deserves better." in response.text


def test_reply_nests_under_its_parent(fan_client, concern):
    parent = make_comment(concern, body="Top-level take")
    post_comment(fan_client, concern, body="A reply", parent=str(parent.pk))
    reply = Comment.objects.get(body="A reply")
    assert (reply.parent, reply.root) == (parent, parent)
    page = fan_client.get(concern.get_absolute_url())
    threads = page.context["page"].threads
    assert [thread.comment for thread in threads] == [parent]
    assert [thread.comment for thread in threads[0].replies] == [reply]


def test_reply_to_reply_nests_two_deep(fan_client, concern):
    top = make_comment(concern)
    middle = make_comment(parent=top)
    post_comment(fan_client, concern, body="Deeper", parent=str(middle.pk))
    page = fan_client.get(concern.get_absolute_url())
    rendered_top = page.context["page"].threads[0]
    assert rendered_top.replies[0].replies[0].comment.body == "Deeper"


def test_spoiler_body_sits_inside_details(fan_client, concern):
    post_comment(fan_client, concern, body="Cheong-san survives", is_spoiler="on")
    html = fan_client.get(concern.get_absolute_url()).text
    details_start = html.index('<details class="spoiler">')
    assert (
        details_start < html.index("Cheong-san survives") < html.index("</details>", details_start)
    )
    assert Comment.objects.get().is_spoiler


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "Write something before posting."),
        ("   \n\t ", "Write something before posting."),
        ("x" * 5001, "Comments can be at most 5000 characters (this one has 5001)."),
        ("bad\x00byte", "Null characters are not allowed."),
    ],
    ids=["empty", "whitespace", "too-long", "nul"],
)
def test_bad_body_is_refused_with_message(fan_client, concern, body, message):
    response = post_comment(fan_client, concern, body=body)
    assert response.status_code == 400
    assert message in response.text
    assert Comment.objects.count() == 0


def test_refused_comment_keeps_what_the_fan_typed(fan_client, concern):
    long_text = "My long argument. " * 300
    response = post_comment(fan_client, concern, body=long_text)
    assert response.status_code == 400
    assert "My long argument." in response.context["page"].comment_form["body"].value()


def test_parent_from_another_concern_is_refused(fan_client, concern):
    other = make_comment(make_concern())
    response = post_comment(fan_client, concern, body="Hi", parent=str(other.pk))
    assert response.status_code == 400
    assert "You can only reply to a comment on the same concern." in response.text
    assert Comment.objects.count() == 1


@pytest.mark.parametrize("parent", ["abc", "-3", "1.5", "99999999"])
def test_parent_that_is_not_a_comment_is_refused(fan_client, concern, parent):
    response = post_comment(fan_client, concern, body="Hi", parent=parent)
    assert response.status_code == 400
    assert "The comment you are replying to could not be found." in response.text
    assert Comment.objects.count() == 0


def test_reply_to_hidden_comment_is_refused(fan_client, concern):
    hidden = make_comment(concern, status=Comment.Status.HIDDEN)
    response = post_comment(fan_client, concern, body="Hi", parent=str(hidden.pk))
    assert response.status_code == 400
    assert "The comment you are replying to could not be found." in response.text
    assert Comment.objects.count() == 1


def test_invalid_stance_is_refused(fan_client, concern):
    response = post_comment(fan_client, concern, body="Hi", stance="furious")
    assert response.status_code == 400
    assert Comment.objects.count() == 0


def test_hidden_comment_is_absent_from_concern_page(client, concern):
    make_comment(concern, body="Visible take")
    make_comment(concern, body="Troll bait", status=Comment.Status.HIDDEN)
    html = client.get(concern.get_absolute_url()).text
    assert "Visible take" in html
    assert "Troll bait" not in html


def test_body_renders_escaped_with_line_breaks_and_safe_links(client, concern):
    make_comment(concern, body="<script>alert(1)</script>\nsee https://netflix.com/title")
    html = client.get(concern.get_absolute_url()).text
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;<br>" in html
    assert '<a href="https://netflix.com/title" rel="nofollow ugc noopener">' in html


def test_javascript_link_is_not_made_clickable(client, concern):
    make_comment(concern, body="javascript:alert(1)")
    html = client.get(concern.get_absolute_url()).text
    assert "javascript:alert(1)" in html
    assert 'href="javascript:' not in html


def test_comments_are_newest_first_fifty_per_page(client, concern):
    comments = [make_comment(concern, body=f"c{i}") for i in range(55)]
    first = client.get(concern.get_absolute_url()).context["page"]
    second = client.get(concern.get_absolute_url() + "?page=2").context["page"]
    assert [thread.comment for thread in first.threads] == comments[:4:-1]
    assert [thread.comment for thread in second.threads] == comments[4::-1]


def test_out_of_range_page_shows_last_page(client, concern):
    # Two pages, so the last one is not also the first.
    comments = [make_comment(concern, body=f"c{i}") for i in range(55)]
    response = client.get(concern.get_absolute_url() + "?page=999")
    assert response.status_code == 200
    assert [thread.comment for thread in response.context["page"].threads] == comments[4::-1]


def add_threads(concern, total):
    authors = [make_user() for _ in range(5)]
    for i in range(total // 2):
        top = make_comment(concern, author=authors[i % 5])
        make_comment(parent=top, author=authors[(i + 1) % 5])


def test_concern_page_query_count_does_not_grow_with_comments(fan_client):
    small, large = make_concern(), make_concern()
    add_threads(small, 10)
    add_threads(large, 200)
    assert count_queries(fan_client, small.get_absolute_url()) == count_queries(
        fan_client, large.get_absolute_url()
    )


# --- the reply form, fetched on demand ---------------------------------------------


def reply_url(comment):
    return reverse("discussions:comment-reply", args=[comment.pk])


def test_threads_link_to_the_reply_form_instead_of_carrying_one(fan_client, concern):
    comment = make_comment(concern)
    html = fan_client.get(concern.get_absolute_url()).text
    assert f'href="/comments/{comment.pk}/reply/"' in html
    assert f'id="reply-body-{comment.pk}"' not in html


def test_the_reply_form_asks_anonymous_visitors_to_log_in(client, concern):
    comment = make_comment(concern)
    response = client.get(reply_url(comment))
    assert response.url == f"/accounts/login/?next=/comments/{comment.pk}/reply/"


def test_the_reply_form_is_refused_to_a_suspended_fan(fan_client, fan, concern):
    make_suspension(fan)
    assert fan_client.get(reply_url(make_comment(concern))).status_code == 403


def test_the_reply_form_is_a_page_of_its_own_without_javascript(fan_client, concern):
    comment = make_comment(concern, body="The school was the point")
    html = fan_client.get(reply_url(comment)).text
    assert "The school was the point" in html
    assert f'<textarea class="form-control" id="reply-body-{comment.pk}"' in html
    assert f'name="parent" value="{comment.pk}"' in html


def test_the_reply_form_comes_alone_and_open_for_htmx(fan_client, concern):
    comment = make_comment(concern)
    html = fan_client.get(reply_url(comment), HTTP_HX_REQUEST="true").text
    assert html.lstrip().startswith(f'<details class="reply" id="reply-{comment.pk}" open>')
    assert "autofocus" in html and "<html" not in html


def test_a_reply_sent_from_the_reply_page_lands_under_its_parent(fan_client, concern):
    parent = make_comment(concern)
    post_comment(fan_client, concern, body="Sent from its own page", parent=str(parent.pk))
    assert Comment.objects.get(body="Sent from its own page").parent == parent


def test_a_hidden_comment_has_no_reply_form(fan_client, concern):
    comment = make_comment(concern, status=Comment.Status.HIDDEN)
    assert fan_client.get(reply_url(comment)).status_code == 404


def test_a_fan_who_has_not_confirmed_their_address_is_asked_to(client, concern):
    client.force_login(make_newcomer())
    response = client.get(reply_url(make_comment(concern)))
    assert response.status_code == 403
    assert "Confirm" in response.text
