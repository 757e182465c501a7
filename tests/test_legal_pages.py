"""The terms of use and the takedown contact: written here, linked wherever fans sign up or read."""

import pytest

from tests.test_seed_and_settings import PRODUCTION, run_python

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/terms/", "/takedown/"])
def test_the_page_answers_anonymous_visitors(client, path):
    assert client.get(path).status_code == 200


@pytest.mark.parametrize("path", ["/terms/", "/takedown/"])
def test_the_page_answers_in_korean(client, path):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE="ko")
    assert response.status_code == 200
    assert '<html lang="ko">' in response.text


def test_terms_link_the_house_rules_deletion_privacy_and_takedown(client):
    html = client.get("/terms/").text
    for path in ["/rules/", "/accounts/delete/", "/privacy/", "/takedown/"]:
        assert f'href="{path}"' in html


def test_terms_say_who_may_sign_up_and_that_fans_own_their_posts(client):
    html = client.get("/terms/").text
    assert "you must be 14 or older" in html
    assert "What you write stays yours." in html
    assert "without any warranty" in html


def test_takedown_names_the_configured_address(client, settings):
    settings.TAKEDOWN_EMAIL = "removals@fears.example"
    html = client.get("/takedown/").text
    assert 'href="mailto:removals@fears.example"' in html


def test_terms_give_the_same_address_for_contact(client, settings):
    settings.TAKEDOWN_EMAIL = "removals@fears.example"
    assert 'href="mailto:removals@fears.example"' in client.get("/terms/").text


def test_takedown_says_what_a_request_needs_and_where_reports_go(client):
    html = client.get("/takedown/").text
    assert "The address of the page, or of the comment" in html
    assert 'href="/rules/"' in html


@pytest.mark.parametrize("path", ["/rules/", "/privacy/", "/terms/", "/takedown/"])
def test_the_footer_links_the_page(client, path):
    assert f'href="{path}"' in client.get("/").text


@pytest.mark.parametrize("path", ["/terms/", "/rules/"])
def test_the_signup_form_links_the_terms_and_rules(client, path):
    html = client.get("/accounts/signup/").text
    assert "By signing up you agree to the" in html
    assert f'href="{path}"' in html


def test_the_sitemap_lists_terms_and_takedown(client):
    xml = client.get("/sitemap.xml").text
    assert "/terms/</loc>" in xml
    assert "/takedown/</loc>" in xml


def test_development_has_a_safe_default_address():
    result = run_python("import aouad.settings.dev as s; print(s.TAKEDOWN_EMAIL)")
    assert result.stdout.strip().endswith("@example.com"), result.stderr


def test_production_without_a_takedown_address_names_the_sites_abuse_mailbox():
    env = {k: v for k, v in PRODUCTION.items() if k != "TAKEDOWN_EMAIL"}
    result = run_python("import aouad.settings.prod as s; print(s.TAKEDOWN_EMAIL)", **env)
    assert result.stdout.strip() == "abuse@fears.example", result.stderr


def test_production_takes_the_address_it_is_given():
    result = run_python(
        "import aouad.settings.prod as s; print(s.TAKEDOWN_EMAIL)",
        **{**PRODUCTION, "TAKEDOWN_EMAIL": "removals@fears.example"},
    )
    assert result.stdout.strip() == "removals@fears.example", result.stderr
