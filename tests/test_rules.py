"""The house rules page: every rule, defined once, with what it means."""

import pytest
from django.urls import reverse

from moderation.models import RULE_EXPLANATIONS, Rule

pytestmark = pytest.mark.django_db


def test_rules_page_is_at_the_printed_path():
    assert reverse("moderation:rules") == "/rules/"


def test_anonymous_visitor_reads_the_rules(client):
    assert client.get("/rules/").status_code == 200


def test_every_rule_is_on_the_page_with_its_explanation(client):
    html = client.get("/rules/").text
    for rule in Rule:
        assert str(rule.label) in html
        assert str(RULE_EXPLANATIONS[rule]).replace("'", "&#x27;") in html


def test_every_rule_has_an_explanation():
    assert set(RULE_EXPLANATIONS) == set(Rule)


def test_rules_page_is_in_korean_too(client):
    assert client.get("/rules/?lang=ko").status_code == 200
