"""One client address: a direct client can never choose its own, a trusted proxy is believed."""

import pytest
from django.test import Client, RequestFactory

from accounts.addresses import UNKNOWN, client_address
from tests.factories import PASSWORD
from tests.test_rate_limits import log_in, sign_up

PROXY = "10.0.0.5"


def address(remote, forwarded=None):
    headers = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    return client_address(RequestFactory().get("/", **headers))


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/24", "::1"]


def test_a_direct_client_is_its_connection():
    assert address("203.0.113.7") == "203.0.113.7"


def test_a_direct_client_cannot_choose_its_address_by_header():
    assert address("203.0.113.7", "198.51.100.1") == "203.0.113.7"


def test_nobody_is_trusted_by_default(settings):
    assert settings.TRUSTED_PROXIES == []
    assert address(PROXY, "198.51.100.1") == PROXY


def test_behind_a_trusted_proxy_the_hop_it_appended_is_the_client(behind_proxy):
    assert address(PROXY, "198.51.100.1") == "198.51.100.1"


def test_hops_the_client_wrote_are_never_believed(behind_proxy):
    assert address(PROXY, "1.2.3.4, 198.51.100.1") == "198.51.100.1"


def test_a_chain_of_trusted_proxies_is_walked_from_the_right(behind_proxy):
    assert address(PROXY, "1.2.3.4, 198.51.100.1, 10.0.0.9") == "198.51.100.1"


def test_trusted_proxies_may_be_ipv6(behind_proxy):
    assert address("::1", "2001:db8::7") == "2001:db8::7"


@pytest.mark.parametrize("forwarded", [None, "", " , ", "not-an-address", "\u00e9\x00", "a" * 5000])
def test_a_missing_or_broken_header_gives_the_proxy_itself(behind_proxy, forwarded):
    assert address(PROXY, forwarded) == PROXY


def test_a_broken_hop_stops_the_walk(behind_proxy):
    assert address(PROXY, "198.51.100.1, junk, 10.0.0.9") == "10.0.0.9"


def test_a_connection_without_an_address_shares_one_bucket():
    assert address("") == UNKNOWN


def test_a_bad_trusted_proxies_setting_refuses_to_start():
    from tests.test_seed_and_settings import run_settings

    result = run_settings("aouad.settings.dev", TRUSTED_PROXIES="10.0.0.0/33")
    assert result.returncode != 0
    assert "TRUSTED_PROXIES: '10.0.0.0/33' is not an address or a CIDR" in result.stderr


# The limits key on it.


@pytest.mark.django_db
def test_a_spoofed_header_does_not_reset_the_sign_up_limit():
    for n, spoof in enumerate(["1.1.1.1", "2.2.2.2", "3.3.3.3"]):
        assert sign_up(f"fan_{n}", forwarded=spoof).status_code == 302
    assert sign_up("fan_4", forwarded="4.4.4.4").status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_each_client_has_its_own_sign_up_limit(behind_proxy):
    for n in range(3):
        sign_up(f"fan_{n}", address=PROXY, forwarded="198.51.100.1")
    assert sign_up("fan_4", address=PROXY, forwarded="198.51.100.1").status_code == 429
    assert sign_up("fan_5", address=PROXY, forwarded="198.51.100.2").status_code == 302


@pytest.mark.django_db
def test_a_spoofed_header_does_not_escape_the_log_in_lockout(fan):
    attacker = Client()
    for n in range(5):
        log_in(attacker, fan.username, "wrong", "127.0.0.2", HTTP_X_FORWARDED_FOR=f"9.9.9.{n}")
    response = log_in(attacker, fan.username, PASSWORD, "127.0.0.2", HTTP_X_FORWARDED_FOR="8.8.8.8")
    assert response.status_code == 429


@pytest.mark.django_db
def test_behind_the_proxy_a_lockout_is_the_attackers_not_the_proxys(behind_proxy, fan):
    for _ in range(5):
        log_in(Client(), fan.username, "wrong", PROXY, HTTP_X_FORWARDED_FOR="198.51.100.66")
    owner = log_in(Client(), fan.username, PASSWORD, PROXY, HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert owner.status_code == 302


# Password spraying: one address, many names.


def spray(names, address="127.0.0.9", path="/accounts/login/"):
    field = "login" if path == "/accounts/login/" else "username"
    return [
        Client().post(path, {field: name, "password": "Winter2026!"}, REMOTE_ADDR=address)
        for name in names
    ]


@pytest.mark.django_db
def test_one_address_failing_across_many_names_is_refused(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-failures": "5/h"}
    answers = spray([f"fan{n}" for n in range(6)])
    assert [a.status_code for a in answers] == [200] * 5 + [429]
    assert "Too many failed log-ins from your network." in answers[-1].text


@pytest.mark.django_db
def test_spraying_refuses_even_the_right_password_from_that_address(settings, fan):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-failures": "5/h"}
    spray([f"fan{n}" for n in range(5)])
    assert log_in(Client(), fan.username, PASSWORD, "127.0.0.9").status_code == 429


@pytest.mark.django_db
def test_spraying_does_not_reach_a_fan_at_another_address(settings, fan):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-failures": "5/h"}
    spray([f"fan{n}" for n in range(5)] + [fan.username])
    assert log_in(Client(), fan.username, PASSWORD, "127.0.0.10").status_code == 302


@pytest.mark.django_db
def test_the_spraying_refusal_ends_with_its_hour(settings, clock):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login-failures": "5/h"}
    spray([f"fan{n}" for n in range(5)])
    clock.advance(3601)
    assert spray(["fan9"])[0].status_code == 200
