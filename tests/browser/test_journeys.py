"""What fans, moderators and curators do, in a real browser."""

import re

import pytest
from playwright.sync_api import expect

from discussions.models import Comment
from moderation.models import Report, Rule
from news.models import SeasonUpdate
from opinion.models import Vote
from tests.factories import (
    PASSWORD,
    age_account,
    make_comment,
    make_concern,
    make_curator,
    make_moderator,
    make_newcomer,
    make_suspension,
    make_user,
)
from tests.mailbox import outbox

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def concern(db):
    return make_concern(title="Tired tropes", slug="tired-tropes")


def fill_sign_up(page, username, email):
    page.get_by_label("Username").fill(username)
    page.get_by_label("Email").fill(email)
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_label("I am 14 or older").check()
    page.get_by_role("button", name="Sign up").click()


def sign_up(page, username):
    page.goto("/")
    page.get_by_role("link", name="Sign up").click()
    fill_sign_up(page, username, f"{username}@example.com")
    # Not signed in yet: the page says to follow the mailed link.
    expect(page.locator("h1")).to_have_text("Check your mail")
    expect(page.locator(".messages")).to_contain_text(f"{username}@example.com")
    expect(page.get_by_role("link", name="Sign up")).to_be_visible()
    # The link from the mail, as the fan would follow it, in the same browser.
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", outbox()[-1].body)
    page.goto(link.group(1))
    page.locator("main form").get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text("You have confirmed")
    expect(page.locator(".messages")).to_contain_text(f"Successfully signed in as {username}.")
    expect(page.locator(".confirm-email-banner")).to_have_count(0)


def log_in(page, user, path="/accounts/login/", button="Log in"):
    # The admin's log-in page sends staff on to the site's, which takes a
    # username or email ("login").
    page.goto(path)
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form, #content form").get_by_role("button", name=button).click()


def comment_card(page, text):
    return page.locator("article.comment", has=page.locator(".comment-body", has_text=text))


def test_fan_journey(open_page, concern, js):
    other = make_comment(concern, body="Seoul will be the same old zombie show")
    page = open_page()
    sign_up(page, "hyosan_fan")
    page.goto(concern.get_absolute_url())

    page.get_by_role("button", name="Justified", exact=True).click()
    expect(page.locator(".vote-panel")).to_contain_text("Your vote: Justified")
    page.get_by_role("button", name="Overblown", exact=True).click()
    expect(page.locator(".vote-panel")).to_contain_text("Your vote: Overblown")
    assert Vote.objects.get(user__username="hyosan_fan").verdict == "overblown"

    page.get_by_label("Your comment").fill("The school lens is the whole point.")
    page.get_by_role("button", name="Post comment").click()
    expect(comment_card(page, "The school lens").first).to_be_visible()

    reply_to = comment_card(page, "Seoul will be the same").first
    reply_to.locator("summary", has_text="Reply").click()
    if not js:
        # Without JavaScript the form is a page of its own, a link away.
        reply_to.get_by_role("link", name="Write your reply").click()
        reply_to = page.locator("details.reply")
    reply_to.get_by_role("textbox").fill("Not if the students stay central.")
    reply_to.get_by_role("button", name="Post reply").click()
    expect(page.locator(f"#replies-{other.pk}")).to_contain_text("students stay central")
    assert Comment.objects.get(body="Not if the students stay central.").parent == other

    page.get_by_label("Your comment").fill("Nam-ra survives as a halfbie.")
    page.get_by_label("Contains spoilers").first.check()
    page.get_by_role("button", name="Post comment").click()
    spoiler = page.locator("details.spoiler").first
    expect(spoiler.locator(".comment-body")).to_be_hidden()
    spoiler.locator("summary").click()
    expect(spoiler.locator(".comment-body")).to_contain_text("Nam-ra survives")

    comment_card(page, "Seoul will be the same").first.get_by_role("link", name="Report").click()
    page.get_by_label("Spam").check()
    page.get_by_role("button", name="Send report").click()
    expect(page.locator(".messages")).to_contain_text("The moderators will take a look.")
    assert Report.objects.get().comment == other
    assert page.errors == []


def test_an_address_in_use_signs_up_as_a_new_one_and_only_its_owner_hears(open_page):
    make_newcomer("nam_onjo", email="onjo@example.com")
    page = open_page()
    page.goto("/accounts/signup/")
    fill_sign_up(page, "copycat", "onjo@example.com")
    expect(page.locator("h1")).to_have_text("Check your mail")
    expect(page.locator(".messages")).to_contain_text("Confirmation email sent to onjo@example.com")
    (message,) = outbox()
    assert "tried to sign up" in message.body
    assert "/accounts/password/reset/" in message.body


def test_a_fan_who_never_confirmed_logs_in_through_the_link(open_page):
    make_newcomer("nam_onjo", email="onjo@example.com")
    page = open_page()
    page.goto("/accounts/login/")
    page.locator("#id_login").fill("nam_onjo")
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()
    expect(page.locator("h1")).to_have_text("Check your mail")
    expect(page.locator("main")).to_contain_text("an account logs in once its address is confirmed")
    link = re.search(r"https?://[^/\s]+(/accounts/confirm-email/\S+)", outbox()[-1].body)
    page.goto(link.group(1))
    page.locator("main form").get_by_role("button", name="Confirm").click()
    expect(page.locator(".messages")).to_contain_text("Successfully signed in as nam_onjo.")


def test_moderator_hides_a_reported_comment_and_it_leaves_the_page(open_page, concern):
    troll = make_comment(concern, body="Everyone here is an idiot")
    fan = open_page()
    fan.goto(concern.get_absolute_url())
    expect(fan.locator("main")).to_contain_text("Everyone here is an idiot")

    moderator = make_moderator("mod_jin")
    admin = open_page()
    log_in(admin, moderator, "/admin/login/")
    admin.goto("/admin/discussions/comment/")
    admin.locator("tr", has_text="Everyone here is an idiot").locator(
        "input[name=_selected_action]"
    ).check()
    admin.locator("select[name=action]").select_option("hide_comments")
    admin.locator("select[name=rule]").select_option(Rule.RESPECT)
    admin.get_by_role("button", name="Run").click()
    expect(admin.locator(".messagelist")).to_contain_text("1 comment hidden.")

    fan.reload()
    expect(fan.locator("main")).not_to_contain_text("Everyone here is an idiot")
    troll.refresh_from_db()
    assert troll.status == "hidden"


def test_curator_publishes_update_and_fan_is_asked_to_reconsider(open_page, concern):
    fan = age_account(make_user("early_voter"))
    page = open_page()
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    page.get_by_role("button", name="Justified", exact=True).click()
    expect(page.locator(".vote-panel")).to_contain_text("Your vote: Justified")
    Vote.objects.update(confirmed_at=Vote.objects.get().confirmed_at.replace(year=2025))

    curator = make_curator("cur_ara")
    admin = open_page()
    log_in(admin, curator, "/admin/login/")
    admin.goto("/admin/news/seasonupdate/add/")
    admin.get_by_label("Title [en]").fill("Teaser centres the students")
    admin.get_by_label("Summary [en]").fill("The first teaser follows the survivors.")
    admin.locator("#id_source_name").fill("Netflix")
    admin.get_by_label("Status").select_option("published")
    admin.locator("#id_effects-0-concern").select_option(label="Tired tropes")
    admin.locator("#id_effects-0-effect").select_option("eases")
    admin.locator("#id_effects-0-reason_en").fill("The students lead the teaser.")
    admin.get_by_role("button", name="Save", exact=True).click()
    expect(admin.locator(".messagelist")).to_contain_text("was added successfully")
    assert SeasonUpdate.objects.get().is_public

    page.goto("/updates/")
    expect(page.locator("main")).to_contain_text("Teaser centres the students")
    page.goto(concern.get_absolute_url())
    expect(page.locator(".news")).to_contain_text("Teaser centres the students")
    banner = page.locator(".reconsider")
    expect(banner).to_contain_text("A new update eases this fear: still think it's justified?")
    banner.get_by_role("button", name="Keep “justified”").click()
    expect(page.locator("main")).to_contain_text("Noted: your vote stands.")
    expect(page.locator(".reconsider")).to_have_count(0)


def test_suspended_fan_sees_the_notice(open_page, concern):
    fan = make_user("troll")
    make_suspension(fan, days=3)
    page = open_page()
    log_in(page, fan)
    page.goto(concern.get_absolute_url())
    notice = page.locator(".suspension-notice").first
    expect(notice).to_contain_text("Your account is suspended.")
    expect(notice).to_contain_text("It ends on")
    expect(page.get_by_role("button", name="Justified", exact=True)).to_have_count(0)


def test_keyboard_only_vote_and_comment(open_page, concern):
    fan = age_account(make_user("keys_only"))
    page = open_page()
    log_in(page, fan)
    page.goto(concern.get_absolute_url())

    def tab_to(name):
        for _ in range(60):
            page.keyboard.press("Tab")
            if page.evaluate("document.activeElement.textContent.trim()") == name:
                return
        raise AssertionError(f"Tab never reached {name!r}")

    tab_to("Justified")
    page.keyboard.press("Enter")
    expect(page.locator(".vote-panel")).to_contain_text("Your vote: Justified")

    for _ in range(80):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == "id_body":
            break
    else:
        raise AssertionError("Tab never reached the comment box")
    page.keyboard.type("Typed without a mouse.")
    tab_to("Post comment")
    page.keyboard.press("Enter")
    expect(comment_card(page, "Typed without a mouse.")).to_be_visible()
    assert Vote.objects.get(user=fan).verdict == "justified"
