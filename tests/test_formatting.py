"""Comments in a safe Markdown subset: rendered once, never a way in for markup or script."""

import re
from html.parser import HTMLParser
from unittest import mock

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from discussions.authoring import disown_comments, edit_comment, post_comment
from discussions.feeds import ConcernFeed
from discussions.formatting import count_links, plain_text, render
from discussions.models import Comment
from tests.factories import age_account, make_comment, make_user

# --- what renders -------------------------------------------------------------------


def html(body):
    return render(body).html


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("*Nam-ra* is **fine**", "<p><em>Nam-ra</em> is <strong>fine</strong></p>"),
        ("> Cheong-san said so", "<blockquote>\n<p>Cheong-san said so</p>\n</blockquote>"),
        ("- one\n- two", "<ul>\n<li>one</li>\n<li>two</li>\n</ul>"),
        ("3. three\n4. four", '<ol start="3">\n<li>three</li>\n<li>four</li>\n</ol>'),
        ("use `code` here", "<p>use <code>code</code> here</p>"),
        ("```\nlet x = 1;\n```", "<pre><code>let x = 1;\n</code></pre>"),
        ("first line\nsecond line", "<p>first line<br>\nsecond line</p>"),
    ],
)
def test_the_subset_renders(body, expected):
    assert html(body).strip() == expected


@pytest.mark.django_db
def test_links_carry_nofollow_ugc_noopener():
    rendered = html("[the trailer](https://www.netflix.com/title/81237994)")
    assert 'href="https://www.netflix.com/title/81237994"' in rendered
    assert 'rel="nofollow ugc noopener"' in rendered


@pytest.mark.django_db
def test_plain_urls_become_links():
    rendered = html("see https://example.com/news for more")
    assert '<a href="https://example.com/news" rel="nofollow ugc noopener">' in rendered


@pytest.mark.django_db
def test_mailto_links_are_allowed():
    assert 'href="mailto:fan@example.com"' in html("[write](mailto:fan@example.com)")


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["[home](/concerns/x/)", "[x](ftp://example.com/f)"])
def test_links_to_anything_but_web_and_mail_stay_text(body):
    rendered = html(body)
    assert "<a" not in rendered
    assert body in rendered


@pytest.mark.parametrize(
    ("body", "shown"),
    [
        ("# A heading", "# A heading"),
        ("Title\n=====", "Title<br>\n====="),
        ("![poster](https://example.com/p.png)", "![poster](https://example.com/p.png)"),
    ],
)
def test_headings_and_images_show_as_typed(body, shown):
    rendered = html(body)
    assert not re.search(r"<(h\d|img)\b", rendered)
    assert shown in rendered


def test_an_inline_spoiler_hides_behind_a_focusable_span():
    rendered = html("The ending: ||Nam-ra *survives*||, I think")
    assert (
        '<span class="inline-spoiler" tabindex="0">Nam-ra <em>survives</em></span>, I think'
        in rendered
    )


def test_lone_bars_are_text():
    assert html("a || b").strip() == "<p>a || b</p>"


# --- the usual XSS vectors --------------------------------------------------------


class Markup(HTMLParser):
    """Every tag and attribute an HTML string holds, as a browser would read them."""

    def __init__(self, text):
        super().__init__(convert_charrefs=True)
        self.tags, self.attributes = [], []
        self.feed(text)
        self.close()

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.attributes += [(tag, name, value or "") for name, value in attrs]

    handle_startendtag = handle_starttag


SAFE_TAGS = {"p", "br", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "pre", "span"}
SAFE_ADDRESS = re.compile(r"^(https?://|mailto:|/)", re.IGNORECASE)


def assert_harmless(rendered):
    """No script, no handler, no address that runs: read as a browser reads the markup.

    A plain text search would fail on what the fan typed, shown as text
    ("&lt;script&gt;", or "onerror=" between tags), which is exactly right.
    """
    assert "<script" not in rendered.lower()
    markup = Markup(rendered)
    assert set(markup.tags) <= SAFE_TAGS, markup.tags
    for tag, name, value in markup.attributes:
        assert not name.lower().startswith("on"), (tag, name)
        assert name in {"href", "rel", "class", "tabindex", "start"}, (tag, name)
        if name == "href":
            assert SAFE_ADDRESS.match(value.strip()), value
            assert "javascript:" not in value.lower()


XSS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">x</a>',
    "<iframe src=javascript:alert(1)>",
    '<div style="background:url(javascript:alert(1))">',
    "<body onload=alert(1)>",
    "[x](javascript:alert(1))",
    "[x](JaVaScRiPt:alert(1))",
    "[x]( javascript:alert(1) )",
    "[x](<javascript:alert(1)>)",
    "[x](&#106;avascript:alert(1))",
    "[x](javascript&#58;alert(1))",
    "[x](java\\script:alert(1))",
    "[x](vbscript:msgbox(1))",
    "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "![x](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)",
    "![x](javascript:alert(1))",
    '[x](https://example.com "onmouseover=alert(1)")',
    '[x](https://example.com"onmouseover="alert(1))',
    "<javascript:alert(1)>",
    "<data:text/html,<script>alert(1)</script>>",
    "[[x](javascript:alert(1))](https://example.com)",
    "[x](https://example.com)(javascript:alert(1))",
    "[x][ref]\n\n[ref]: javascript:alert(1)",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "\u202e<script>alert(1)</script>",
    "\uff1cscript\uff1ealert(1)\uff1c/script\uff1e",  # fullwidth < and >
    "java\u0000script:alert(1)",
    "||<img src=x onerror=alert(1)>||",
    "||[x](javascript:alert(1))||",
    "`<script>alert(1)</script>`",
    "```html\n<script>alert(1)</script>\n```",
    "> <script>alert(1)</script>",
    "- <img src=x onerror=alert(1)>",
    "<!-- x --><script>alert(1)</script>",
    "<style>body{display:none}</style>",
    "<math><mi xlink:href=javascript:alert(1)>x</mi></math>",
    'www.example.com/"><script>alert(1)</script>',
    "https://example.com/<script>alert(1)</script>",
]


@pytest.mark.django_db
@pytest.mark.parametrize("body", XSS)
def test_no_xss_vector_survives(body):
    assert_harmless(render(body).html)


@pytest.mark.django_db
@pytest.mark.parametrize("body", ["@<script>alert(1)</script>", "@x onload=alert(1)"])
def test_no_xss_vector_survives_a_mention(body):
    make_user("x")
    assert_harmless(render(body).html)


MARKDOWN_BITS = st.sampled_from(
    [
        "<",
        ">",
        "script",
        "javascript:",
        "JaVaScRiPt:",
        "onerror=",
        "onload=",
        '"',
        "'",
        "[",
        "]",
        "(",
        ")",
        "!",
        "||",
        "`",
        "*",
        "_",
        "&#",
        "&colon;",
        ";",
        "\n",
        " ",
        "> ",
        "- ",
        "http://",
        "data:",
        "svg",
        "img",
        "alert(1)",
        "=",
        "/",
        "\\",
        "@",
    ]
)


@hypothesis_settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.one_of(MARKDOWN_BITS, st.text(max_size=5)), max_size=40).map("".join))
def test_fuzzed_markdown_never_gives_script_handlers_or_javascript_links(body):
    # Names after @ look no account up: no mention link, so no database is needed.
    with mock.patch("discussions.formatting._mentionable", return_value={}):
        rendered = render(body).html
    assert_harmless(rendered)
    assert not re.search(r"<[^>]*\son\w+\s*=", rendered, re.IGNORECASE)
    assert not re.search(r"""(href|src)\s*=\s*["']?\s*javascript:""", rendered, re.IGNORECASE)


# --- plain text: spoilers masked ------------------------------------------------------


def test_plain_text_masks_inline_spoilers():
    text = plain_text("I knew it: ||On-jo becomes a hambie|| all along")
    assert "On-jo" not in text
    assert text == "I knew it: [spoiler] all along"


def test_plain_text_keeps_quotes_marked_and_link_addresses():
    text = plain_text("> what **she** said\n\n[source](https://example.com)")
    assert text == "> what she said\n\nsource (https://example.com)"


@pytest.mark.django_db
def test_the_feed_masks_inline_spoilers(concern):
    comment = make_comment(concern, body="Watch out: ||Gwi-nam returns||")
    text = ConcernFeed().item_description(comment)
    assert "Gwi-nam" not in text
    assert "[spoiler]" in text


@pytest.mark.django_db
def test_best_arguments_mask_inline_spoilers(client, concern):
    make_comment(concern, body="Watch out: ||Gwi-nam returns||", stance="justified")
    page = client.get(concern.get_absolute_url()).text
    best = re.search(r'<p class="best">.*?</p>', page, re.S)[0]
    assert "Gwi-nam" not in best


# --- stored as written, rendered once -------------------------------------------------

on_commit_now = mock.patch("django.db.transaction.on_commit", lambda fn, **kw: fn())


@pytest.mark.django_db
def test_posting_keeps_the_text_as_written_and_its_rendering(concern):
    comment = post_comment(make_user(), concern, "**Loud** and clear")
    comment.refresh_from_db()
    assert comment.body == "**Loud** and clear"
    assert comment.body_html == "<p><strong>Loud</strong> and clear</p>\n"


@pytest.mark.django_db
def test_editing_renders_the_new_text(concern):
    author = make_user()
    comment = post_comment(author, concern, "*first*")
    edit_comment(author, comment, body="_second_", is_spoiler=False, stance=comment.stance)
    comment.refresh_from_db()
    assert comment.body_html == "<p><em>second</em></p>\n"


@pytest.mark.django_db
def test_a_comment_without_its_rendering_is_rendered_on_first_read_and_kept(concern):
    comment = make_comment(concern, body="*older*")
    Comment.objects.filter(pk=comment.pk).update(body_html="")
    comment.refresh_from_db()
    assert comment.html == "<p><em>older</em></p>\n"
    assert Comment.objects.get(pk=comment.pk).body_html == "<p><em>older</em></p>\n"


@pytest.mark.django_db
def test_an_erased_comment_loses_its_rendering_too(concern):
    author = make_user()
    comment = post_comment(author, concern, "*mine*")
    disown_comments(author, comment.created_at)
    comment.refresh_from_db()
    assert comment.body_html == ""


@pytest.mark.django_db
def test_the_thread_shows_rendered_markdown_and_no_script(client, concern):
    make_comment(concern, body="**bold** <script>alert(1)</script>")
    page = client.get(concern.get_absolute_url()).text
    assert "<strong>bold</strong> &lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page


@pytest.mark.django_db
def test_the_delete_page_shows_the_rendered_comment(fan_client, fan, concern):
    comment = make_comment(concern, author=fan, body="**gone** soon")
    page = fan_client.get(f"/comments/{comment.pk}/delete/").text
    assert "<strong>gone</strong> soon" in page


# --- links from new accounts ------------------------------------------------------------

THREE_LINKS = "see https://a.example and [b](https://b.example) and <https://c.example>"


def test_every_kind_of_link_counts():
    assert count_links(THREE_LINKS) == 3
    assert count_links("[x](javascript:alert(1)) and `https://code.example`") == 0


@pytest.mark.django_db
def test_a_new_account_posting_too_many_links_is_told_the_limit_and_keeps_its_text(
    fan_client, concern, settings
):
    response = fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": THREE_LINKS})
    assert response.status_code == 400
    assert "Accounts under a day old can post at most 2 links in a comment." in response.text
    assert "https://c.example" in response.text
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_the_links_message_states_the_setting(fan_client, concern, settings):
    settings.NEW_ACCOUNT_LINKS_PER_COMMENT = 1
    body = "https://a.example https://b.example"
    response = fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": body})
    assert "can post at most 1 link in a comment." in response.text


@pytest.mark.django_db
def test_a_new_account_may_post_two_links(fan_client, concern):
    body = "https://a.example and https://b.example"
    response = fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": body})
    assert response.status_code == 302
    assert Comment.objects.get().body == body


@pytest.mark.django_db
def test_an_older_account_may_post_more_links(fan_client, fan, concern):
    age_account(fan)
    response = fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": THREE_LINKS})
    assert response.status_code == 302


@pytest.mark.django_db
def test_a_new_account_editing_in_too_many_links_is_refused(fan_client, fan, concern):
    comment = make_comment(concern, author=fan, body="no links")
    response = fan_client.post(f"/comments/{comment.pk}/edit/", {"body": THREE_LINKS})
    assert response.status_code == 400
    assert "at most 2 links" in response.text
    comment.refresh_from_db()
    assert comment.body == "no links"


# --- preview, without JavaScript ------------------------------------------------------------


@pytest.mark.django_db
def test_preview_shows_the_comment_rendered_and_posts_nothing(fan_client, concern):
    body = "**Will** it ||hurt||?"
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/", {"body": body, "preview": "1"}
    )
    assert response.status_code == 200
    assert '<section class="comment-preview"' in response.text
    assert "<strong>Will</strong> it" in response.text
    assert "**Will** it ||hurt||?</textarea>" in response.text
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_preview_for_htmx_answers_with_the_form_alone(fan_client, concern):
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/",
        {"body": "_soft_", "preview": "1"},
        headers={"HX-Request": "true", "HX-Target": "comment-form"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<form method="post"')
    assert "<em>soft</em>" in response.text
    assert not Comment.objects.exists()


@pytest.mark.django_db
def test_preview_of_a_reply_keeps_the_reply_page(fan_client, concern):
    parent = make_comment(concern)
    response = fan_client.post(
        f"/concerns/{concern.slug}/comments/",
        {"body": "> quoted\n\nmine", "parent": parent.pk, "preview": "1"},
    )
    assert response.status_code == 200
    assert "<blockquote>" in response.text
    assert f'name="parent" value="{parent.pk}"' in response.text
    assert "&gt; quoted\n\nmine</textarea>" in response.text
    assert Comment.objects.count() == 1


@pytest.mark.django_db
def test_preview_of_an_edit_changes_nothing(fan_client, fan, concern):
    comment = make_comment(concern, author=fan, body="before")
    response = fan_client.post(f"/comments/{comment.pk}/edit/", {"body": "*after*", "preview": "1"})
    assert response.status_code == 200
    assert "<em>after</em>" in response.text
    comment.refresh_from_db()
    assert comment.body == "before"


@pytest.mark.django_db
def test_preview_of_an_empty_comment_says_what_is_missing(fan_client, concern):
    response = fan_client.post(f"/concerns/{concern.slug}/comments/", {"body": "", "preview": "1"})
    assert response.status_code == 400
    assert "Write something before posting." in response.text


@pytest.mark.django_db
def test_the_forms_offer_a_preview_button(fan_client, fan, concern):
    page = fan_client.get(concern.get_absolute_url()).text
    assert 'name="preview"' in page
    comment = make_comment(concern, author=fan)
    assert 'name="preview"' in fan_client.get(f"/comments/{comment.pk}/edit/").text
    assert 'name="preview"' in fan_client.get(f"/comments/{comment.pk}/reply/").text


# --- quote -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_quote_starts_the_reply_with_the_comment_quoted(fan_client, concern):
    parent = make_comment(concern, author=make_user("cheongsan"), body="Line one\n\nLine two")
    page = fan_client.get(f"/comments/{parent.pk}/reply/?quote=1").text
    assert "@cheongsan wrote:\n&gt; Line one\n&gt;\n&gt; Line two\n\n</textarea>" in page


@pytest.mark.django_db
def test_quoting_a_spoiler_makes_the_reply_a_spoiler(fan_client, concern):
    parent = make_comment(concern, body="Su-hyeok lives", is_spoiler=True)
    page = fan_client.get(f"/comments/{parent.pk}/reply/?quote=1").text
    assert re.search(r'<input type="checkbox" name="is_spoiler" checked>', page)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [Comment.Status.HIDDEN, Comment.Status.DELETED])
def test_a_hidden_or_deleted_comment_is_not_quoted(fan_client, concern, status):
    parent = make_comment(concern, body="Taken down", status=status)
    response = fan_client.get(f"/comments/{parent.pk}/reply/?quote=1")
    assert response.status_code == 404
    assert "Taken down" not in response.text


@pytest.mark.django_db
def test_each_comment_offers_quote_to_a_fan(fan_client, concern):
    comment = make_comment(concern)
    page = fan_client.get(concern.get_absolute_url()).text
    assert f'href="/comments/{comment.pk}/reply/?quote=1"' in page


@pytest.mark.django_db
def test_anonymous_readers_get_no_quote_link(client, concern):
    make_comment(concern)
    assert "?quote=1" not in client.get(concern.get_absolute_url()).text


def test_a_long_comment_is_quoted_in_part():
    comment = Comment(body="\n".join(f"line {n} " + "x" * 60 for n in range(100)))
    quote = comment.as_quote()
    assert len(quote) < 1700
    assert quote.rstrip().endswith("…")


@pytest.mark.django_db
def test_the_admin_shows_a_comment_as_written_and_as_readers_see_it(admin_client, concern):
    comment = make_comment(concern, body="**loud** <b>raw</b>")
    page = admin_client.get(reverse("admin:discussions_comment_change", args=[comment.pk])).text
    assert "**loud** &lt;b&gt;raw&lt;/b&gt;" in page
    assert "<strong>loud</strong> &lt;b&gt;raw&lt;/b&gt;" in page
