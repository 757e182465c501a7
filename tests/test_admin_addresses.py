"""Fans' email addresses in the admin are for superusers: moderators read accounts without them.

Anonymous visitors are sent to log in; a moderator sees no address in the
user list, on a fan's page, in the user autocomplete, and cannot find or
filter accounts by one; a superuser does all of it.
"""

import pytest
from django.test import Client

from tests.factories import make_moderator, make_superuser, make_user, with_confirmed_address

pytestmark = pytest.mark.django_db

ADDRESS = "onjo.private@example.com"
LIST = "/admin/accounts/user/"
# Filters typed into the list's address; Django itself refuses the ones through
# a relation that no list filter offers, for superusers too.
ADDRESS_FILTERS = [
    {"email": ADDRESS},
    {"email__startswith": "o"},
    {"email__iendswith": "e@example.com"},
]
FILTERS = [*ADDRESS_FILTERS, {"emailaddress__email": ADDRESS}, {"emailaddress__email__gt": "a"}]


@pytest.fixture
def fan():
    return with_confirmed_address(make_user("nam_onjo", email=ADDRESS))


@pytest.fixture
def moderator():
    client = Client()
    client.force_login(make_moderator("the_moderator"))
    return client


@pytest.fixture
def superuser():
    client = Client()
    client.force_login(make_superuser("the_boss"))
    return client


def listed(response):
    return [user.username for user in response.context["cl"].result_list]


def suspension_autocomplete(client, term):
    query = {"app_label": "moderation", "model_name": "suspension", "field_name": "user"}
    response = client.get("/admin/autocomplete/", {**query, "term": term})
    assert response.status_code == 200
    return [row["text"] for row in response.json()["results"]]


# Anonymous.


@pytest.mark.parametrize("path", [LIST, "CHANGE"])
def test_anonymous_is_sent_to_log_in(client, fan, path):
    response = client.get(path.replace("CHANGE", f"{LIST}{fan.pk}/change/"))
    assert response.status_code == 302
    assert response.url.startswith("/admin/login/")


# A moderator.


def test_a_moderator_sees_no_address_in_the_user_list(moderator, fan):
    response = moderator.get(LIST)
    assert response.status_code == 200
    assert sorted(listed(response)) == ["nam_onjo", "the_moderator"]
    assert "@example.com" not in response.text
    assert "column-email" not in response.text


def test_a_moderator_sees_no_address_on_a_fans_page(moderator, fan):
    response = moderator.get(f"{LIST}{fan.pk}/change/")
    assert response.status_code == 200
    assert "nam_onjo" in response.text
    assert "@example.com" not in response.text


def test_a_moderator_searching_by_address_finds_nobody(moderator, fan):
    for term in [ADDRESS, "onjo.private", "example.com"]:
        assert listed(moderator.get(LIST, {"q": term})) == []


@pytest.mark.parametrize("lookup", FILTERS, ids=lambda lookup: next(iter(lookup)))
def test_a_moderator_cannot_filter_by_address(moderator, fan, lookup):
    response = moderator.get(LIST, lookup)
    # Dropped, as the admin drops any filter it cannot use, with its message.
    assert response.status_code == 302
    assert response.url.endswith("?e=1")
    assert "nam_onjo" not in response.content.decode()


def test_a_moderator_autocomplete_finds_nobody_by_address(moderator, fan):
    assert suspension_autocomplete(moderator, "onjo.private") == []
    assert suspension_autocomplete(moderator, "nam_onjo") == ["nam_onjo"]


def test_a_moderator_still_filters_by_whether_an_address_is_confirmed(moderator, fan):
    response = moderator.get(LIST, {"emailaddress__verified__exact": "1"})
    assert listed(response) == ["nam_onjo"]


# A superuser.


def test_a_superuser_sees_addresses_in_the_user_list(superuser, fan):
    response = superuser.get(LIST)
    assert ADDRESS in response.text
    assert "column-email" in response.text


def test_a_superuser_sees_the_address_on_a_fans_page(superuser, fan):
    response = superuser.get(f"{LIST}{fan.pk}/change/")
    assert f'value="{ADDRESS}"' in response.text
    assert 'name="emailaddress_set-0-email"' in response.text


def test_a_superuser_finds_a_fan_by_address(superuser, fan):
    assert listed(superuser.get(LIST, {"q": ADDRESS})) == ["nam_onjo"]


@pytest.mark.parametrize("lookup", ADDRESS_FILTERS, ids=lambda lookup: next(iter(lookup)))
def test_a_superuser_filters_by_address(superuser, fan, lookup):
    response = superuser.get(LIST, lookup)
    assert response.status_code == 200
    assert listed(response) == ["nam_onjo"]


def test_a_superuser_autocomplete_finds_a_fan_by_address(superuser, fan):
    assert suspension_autocomplete(superuser, "onjo.private") == ["nam_onjo"]


# Nobody.


@pytest.mark.parametrize("client_of", ["moderator", "superuser"])
def test_nobody_filters_accounts_by_password_hash(request, fan, client_of):
    response = request.getfixturevalue(client_of).get(LIST, {"password__startswith": "md5$"})
    assert response.status_code == 302
    assert response.url.endswith("?e=1")
