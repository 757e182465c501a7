"""The fuzzer in small, on every test run; `make fuzz` is the full run.

A few hundred hostile requests over a quick read of the pages, and a short
schemathesis run: enough that a change which lets a NUL byte or a huge page
number reach a 500 fails CI, not production.
"""

import io

import pytest
from django.test import Client

from fuzz import api, world
from fuzz.harness import Fuzzer, quiet_logs

pytestmark = pytest.mark.django_db(transaction=True)


def test_hostile_requests_never_get_a_server_error():
    fuzzer = Fuzzer(seed=7, requests=300, epoch=300, crawl="none", out=io.StringIO())

    recorder = fuzzer.run()

    assert fuzzer.report() == 0, fuzzer.out.getvalue()
    assert sum(recorder.requests.values()) >= 300
    assert fuzzer.uncovered == []


def test_json_api_matches_its_openapi_description():
    with quiet_logs():
        built = world.build()
        result = api.run(seed=7, max_examples=10)
        client = Client()
        client.force_login(built.users["fan"])
        cookie = f"sessionid={client.cookies['sessionid'].value}"
        api.run(seed=7, max_examples=10, cookie=cookie, result=result)

    failures = "\n".join(f"{key}: {message}" for key, (message, _) in result.failures.items())
    assert result.server_errors == 0
    assert not result.failures, failures
    assert result.requests > 50
