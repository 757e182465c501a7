"""Time the home and concern pages on a year of history with 100,000 votes.

Run with `make bench-pages` (`make bench` is bench/run.py, under load). It
builds its own database (an SQLite file under bench/, or DATABASE_URL if set),
fills it with `seed` and `simulate_history`, then requests each page
repeatedly through Django's test client, reporting the median and worst time
and the number of queries. Nothing here is a pass or fail test; the figures go
in the issue notes.
"""

import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "aouad.settings.dev")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'bench' / 'bench.sqlite3'}")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from discussions.models import Concern  # noqa: E402
from opinion.models import Vote  # noqa: E402

VOTES = int(os.environ.get("BENCH_VOTES", "100000"))
DAYS = int(os.environ.get("BENCH_DAYS", "365"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "20"))


def prepare():
    call_command("migrate", verbosity=0)
    with open(os.devnull, "w") as quiet:
        call_command("seed", verbosity=0, stdout=quiet)
    if Vote.objects.count() < VOTES:
        started = time.perf_counter()
        call_command("simulate_history", votes=VOTES, days=DAYS, stdout=sys.stdout)
        print(f"  built in {time.perf_counter() - started:.1f} s")


def measure(client, url):
    client.get(url)  # warm caches and connections
    timings = []
    for _ in range(ROUNDS):
        started = time.perf_counter()
        response = client.get(url)
        timings.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return statistics.median(timings), max(timings), len(queries)


def main():
    prepare()
    client = Client(HTTP_HOST="127.0.0.1")
    concern = Concern.objects.order_by("position").first()
    print(f"{connection.vendor}: {Vote.objects.count()} votes, {DAYS} days of history")
    print(f"{'page':<34}{'median ms':>10}{'max ms':>10}{'queries':>9}")
    for label, url in [("home /", "/"), ("concern page", concern.get_absolute_url())]:
        median, worst, queries = measure(client, url)
        print(f"{label:<34}{median:>10.1f}{worst:>10.1f}{queries:>9}")


if __name__ == "__main__":
    main()
