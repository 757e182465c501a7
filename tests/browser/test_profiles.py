"""Profiles and muting in a real browser: a fan names themselves, another fan mutes them."""

import pytest
from playwright.sync_api import expect

from accounts.models import Mute
from tests.factories import PASSWORD, make_comment, make_concern, make_user

pytestmark = pytest.mark.django_db(transaction=True)


def log_in(page, user):
    page.goto("/accounts/login/")
    page.locator("#id_login").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form").get_by_role("button", name="Log in").click()


def test_a_fan_names_themselves_and_another_fan_mutes_them(open_page, js):
    concern = make_concern(title="Tired tropes", slug="tired-tropes")
    loud, reader = make_user("loud_fan"), make_user("calm_reader")
    make_comment(concern, author=loud, body="Zombies again, how original.")

    # The first fan edits their profile from the account settings.
    page = open_page()
    log_in(page, loud)
    page.goto("/accounts/email/")
    page.locator(".account-nav").get_by_role("link", name="Profile").click()
    page.get_by_label("Display name").fill("The Loud One")
    page.get_by_label("About you").fill("I have opinions.")
    page.get_by_role("button", name="Save").click()
    expect(page.locator(".messages")).to_contain_text("Your profile is saved.")
    expect(page.locator("h1")).to_contain_text("The Loud One")
    expect(page.locator(".fan-bio")).to_have_text("I have opinions.")

    # The second fan sees the new name in the thread and follows it to the profile.
    other = open_page()
    log_in(other, reader)
    other.goto(concern.get_absolute_url())
    other.get_by_role("link", name="The Loud One").click()
    expect(other.locator("h1")).to_contain_text("@loud_fan")
    other.get_by_role("button", name="Mute", exact=True).click()
    expect(other.locator(".messages")).to_contain_text("You muted loud_fan")
    assert Mute.objects.filter(muter=reader, muted=loud).exists()

    # Back in the thread, the comment is folded and opens on demand.
    other.goto(concern.get_absolute_url())
    body = other.locator(".comment-body", has_text="Zombies again")
    expect(body).to_be_hidden()
    other.locator(".comment-muted > summary").click()
    expect(body).to_be_visible()

    # The fan who wrote it still sees it open.
    page.goto(concern.get_absolute_url())
    expect(page.locator(".comment-body", has_text="Zombies again")).to_be_visible()
    assert not page.errors and not other.errors
