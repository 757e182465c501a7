import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from discussions.models import Article, Concern, SeasonUpdate, UpdateEffect

ROOT = Path(__file__).resolve().parent.parent


def seed():
    out = StringIO()
    call_command("seed", stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_seed_adds_article_four_concerns_and_updates():
    output = seed()
    assert "Seeded:" in output
    assert Article.objects.count() == 1
    assert list(Concern.objects.values_list("slug", flat=True)) == [
        "conventional-zombie-action",
        "tired-tropes",
        "sidelined-survivors",
        "sequel-syndrome",
    ]
    assert SeasonUpdate.objects.published().count() == 2


@pytest.mark.django_db
def test_seed_twice_adds_nothing_twice():
    seed()
    counts = [m.objects.count() for m in (Article, Concern, SeasonUpdate, UpdateEffect)]
    assert "nothing changed" in seed()
    assert [m.objects.count() for m in (Article, Concern, SeasonUpdate, UpdateEffect)] == counts


@pytest.mark.django_db
def test_seed_keeps_staff_edits():
    seed()
    Concern.objects.filter(slug="tired-tropes").update(title="Edited by staff")
    seed()
    assert Concern.objects.get(slug="tired-tropes").title == "Edited by staff"


@pytest.mark.django_db
def test_seed_concern_descriptions_are_two_to_four_sentences():
    seed()
    for concern in Concern.objects.all():
        assert 2 <= concern.description.count(". ") + 1 <= 4


def run_settings(**env):
    """Import the settings in a fresh interpreter with only the given variables."""
    clean = {k: v for k, v in os.environ.items() if k not in {"DEBUG", "SECRET_KEY"}}
    clean.pop("ALLOWED_HOSTS", None)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import aouad.settings as s; print(s.DATABASES['default']['ENGINE'])",
        ],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def test_production_without_secret_key_fails_loudly():
    result = run_settings(ALLOWED_HOSTS="fears.example")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_without_allowed_hosts_fails_loudly():
    result = run_settings(SECRET_KEY="s" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS must be set" in result.stderr


def test_database_url_selects_postgresql():
    result = run_settings(DEBUG="1", DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.stdout.strip() == "django.db.backends.postgresql"


def test_embedded_default_is_sqlite():
    result = run_settings(DEBUG="1", DATABASE_URL="")
    assert result.stdout.strip() == "django.db.backends.sqlite3"


@pytest.mark.django_db
def test_production_static_files_build_and_resolve(tmp_path, settings, client):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", interactive=False, verbosity=0)
    assert (tmp_path / "staticfiles.json").exists()
    html = client.get("/").text
    hashed = re.findall(
        r"/static/(css/site\.[0-9a-f]{12}\.css|vendor/htmx/htmx\.min\.[0-9a-f]{12}\.js)", html
    )
    assert len(hashed) == 2
