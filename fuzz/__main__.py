"""`python -m fuzz` (what `make fuzz` runs): the whole fuzz, then the report.

It never touches the database DATABASE_URL names: like the test runner it
makes a database of its own beside it (`fuzz_<name>` on PostgreSQL, a
temporary file for SQLite) and drops it afterwards.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aouad.settings.test")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from fuzz import api, world  # noqa: E402
from fuzz.harness import Fuzzer, quiet_logs  # noqa: E402


def _int(name, default):
    return int(os.environ.get(name) or default)


def own_database(scratch):
    """Point the test database settings at a database only this run uses."""
    db = settings.DATABASES["default"]
    if db["ENGINE"] == "django.db.backends.sqlite3":
        name = os.environ.get("FUZZ_SQLITE") or str(Path(scratch) / "fuzz.sqlite3")
    else:
        name = f"fuzz_{db['NAME']}"
    db["TEST"] = {**db.get("TEST", {}), "NAME": name}


def api_runs(seed, examples):
    """schemathesis as a visitor, then as a fan who has voted on the hidden tally."""
    result = api.ApiRun()
    with quiet_logs():
        world.reset_database()
        built = world.build()
        api.run(seed, examples, result=result)
        client = Client()
        client.force_login(built.users["fan"])
        api.run(
            seed, examples, cookie=f"sessionid={client.cookies['sessionid'].value}", result=result
        )
    return result


def main():
    seed = _int("FUZZ_SEED", 1)
    # Django answers only the hosts it knows; the fuzz speaks as localhost.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "localhost"]
    with tempfile.TemporaryDirectory(prefix="aouad-fuzz-") as scratch:
        own_database(scratch)
        old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
        try:
            fuzzer = Fuzzer(
                seed=seed,
                requests=_int("FUZZ_REQUESTS", 16_000),
                epoch=_int("FUZZ_EPOCH", 1_000),
            )
            fuzzer.run()
            result = api_runs(seed, _int("FUZZ_API_EXAMPLES", 200))
            errors = fuzzer.report(result)
        finally:
            connection.creation.destroy_test_db(old_name, verbosity=0)
    failed = errors or result.failures
    print("\nFAIL" if failed else "\nOK: no 5xx, the API matches docs/openapi.yaml")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
