"""One JSON line per request, with nginx's request id and the real client."""

import json
import logging

import pytest

from aouad.logs import JsonFormatter


def request_lines(caplog):
    return [r for r in caplog.records if r.name == "aouad.requests"]


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.INFO, logger="aouad.requests")
    return caplog


@pytest.mark.django_db
def test_each_request_is_logged_with_its_fields(client, logged):
    client.get("/healthz", REMOTE_ADDR="203.0.113.5")
    (record,) = request_lines(logged)
    line = json.loads(JsonFormatter().format(record))
    assert line["path"] == "/healthz"
    assert line["status"] == 200
    assert line["client"] == "203.0.113.5"
    assert line["duration_ms"] >= 0
    assert line["user"] is None


@pytest.mark.django_db
def test_nginxs_request_id_is_kept_and_returned(client, logged):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="4f9c2a7e1b")
    assert response["X-Request-ID"] == "4f9c2a7e1b"
    assert request_lines(logged)[0].request_id == "4f9c2a7e1b"


@pytest.mark.django_db
@pytest.mark.parametrize("sent", ["", "a" * 65, 'x"\n{"level": "ERROR"}', "\u00e9"])
def test_an_unusable_request_id_is_replaced(client, logged, sent):
    response = client.get("/healthz", HTTP_X_REQUEST_ID=sent)
    assert response["X-Request-ID"] != sent
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_a_signed_in_fan_is_named_by_id(fan_client, fan, logged):
    fan_client.get("/privacy/")
    assert request_lines(logged)[0].user == fan.pk


@pytest.mark.django_db
def test_logging_never_reads_the_user_itself(fan_client, logged, django_assert_num_queries):
    # /healthz reads nothing; the log line must not add the session's query.
    with django_assert_num_queries(0):
        fan_client.get("/healthz")


def test_a_line_is_one_json_object_on_one_line():
    record = logging.LogRecord("x", logging.ERROR, "f", 1, "two\nlines", None, None)
    text = JsonFormatter().format(record)
    assert "\n" not in text
    assert json.loads(text)["message"] == "two\nlines"


def test_production_logs_json_by_default():
    from tests.test_seed_and_settings import PRODUCTION, run_python

    code = "import aouad.settings.prod as s; print(s.LOGGING['handlers']['console']['formatter'])"
    assert run_python(code, **PRODUCTION).stdout.strip() == "json"


def test_production_reports_errors_to_sentry_when_a_dsn_is_set():
    from tests.test_seed_and_settings import PRODUCTION, run_python

    code = "import aouad.settings.prod, sentry_sdk; print(sentry_sdk.get_client().is_active())"
    dsn = "https://key@sentry.example/1"
    assert run_python(code, **PRODUCTION, SENTRY_DSN=dsn).stdout.strip() == "True"
    assert run_python(code, **PRODUCTION).stdout.strip() == "False"
