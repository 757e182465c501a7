"""schemathesis against docs/openapi.yaml, in-process through the WSGI app.

Every phase schemathesis has (examples, coverage, fuzzing, stateful) runs with
every check on, positive and negative data, NUL bytes allowed. Requests go
through Django's real WSGI handler, so a 500 reaches the harness's exception
hook exactly as one from the test client does.
"""

from dataclasses import dataclass, field
from pathlib import Path

import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.db import connections
from schemathesis.engine import events

SPEC = Path(__file__).resolve().parent.parent / "docs" / "openapi.yaml"


@dataclass
class ApiRun:
    requests: int = 0
    server_errors: int = 0
    # (check, operation, title) -> (message, curl), one per distinct failure.
    failures: dict = field(default_factory=dict)


def _config(seed, max_examples, cookie):
    data = {
        "seed": seed,
        "cache": {"enabled": False},
        "generation": {
            "mode": "all",
            "max-examples": max_examples,
            "allow-x00": True,
            "database": "none",
        },
        "checks": {"enabled": True},
        "warnings": False,
    }
    if cookie:
        data["headers"] = {"Cookie": cookie}
    return schemathesis.Config.from_dict(data)


def run(seed, max_examples, *, cookie=None, result=None):
    """Run schemathesis once, as anonymous or with the given session cookie."""
    result = result or ApiRun()
    schema = schemathesis.openapi.from_path(SPEC, config=_config(seed, max_examples, cookie))
    # Not get_wsgi_application(): its django.setup() would reset the logging.
    schema.app = _closing(WSGIHandler())
    who = "signed in" if cookie else "anonymous"
    for event in schemathesis.engine.from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished | events.FuzzScenarioFinished):
            _record(event.recorder, who, result)
        elif isinstance(event, events.NonFatalError | events.FatalError):
            error = getattr(event, "value", None) or getattr(event, "exception", None)
            key = ("error", who, type(error).__name__)
            result.failures.setdefault(key, (str(error)[:500], ""))
    return result


def _closing(app):
    """The app, answering as a WSGI server would and closing its connection after.

    schemathesis sends from threads of its own and never closes a response, so
    Django never hears that a request finished; each thread's connection would
    outlive it and keep the database from being dropped at the end.
    """

    def application(environ, start_response):
        response = app(environ, start_response)
        try:
            return [b"".join(response)]
        finally:
            response.close()
            connections.close_all()

    return application


def _record(recorder, who, result):
    for interaction in recorder.interactions.values():
        result.requests += 1
        response = interaction.response
        if response is not None and response.status_code >= 500:
            result.server_errors += 1
    for nodes in recorder.checks.values():
        for node in nodes:
            info = node.failure_info
            if info is None:
                continue
            key = (node.name, f"{recorder.label} ({who})", info.failure.title)
            result.failures.setdefault(key, (info.failure.message, info.code_sample))
