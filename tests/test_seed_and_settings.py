import os
import re
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command

from discussions.models import Article, Concern
from news.models import SeasonUpdate, UpdateEffect

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


PRODUCTION_VARIABLES = {
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "REDIS_URL",
    "SMTP_HOST",
    "MAIL_BACKEND",
    "TAKEDOWN_EMAIL",
    "SITE_URL",
}


def run_python(code, **env):
    """Run Python in a fresh interpreter with none of production's variables but these."""
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in PRODUCTION_VARIABLES | {"DEBUG", "DJANGO_SETTINGS_MODULE"}
    }
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
    )


def run_settings(module, **env):
    """Import one settings module; print its database engine and DEBUG."""
    return run_python(
        f"import {module} as s; print(s.DATABASES['default']['ENGINE'], s.DEBUG)", **env
    )


PRODUCTION = {
    "SECRET_KEY": "s" * 50,
    "ALLOWED_HOSTS": "fears.example",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "SMTP_HOST": "mail.fears.example",
    "SITE_URL": "https://fears.example",
    "TAKEDOWN_EMAIL": "takedown@fears.example",
}


@pytest.mark.parametrize("missing", ["SECRET_KEY", "ALLOWED_HOSTS", "REDIS_URL", "SMTP_HOST"])
def test_production_without_a_required_variable_fails_loudly(missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    result = run_settings("aouad.settings.prod", **env)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


@pytest.mark.parametrize(
    ("env", "site_url"),
    [
        ({"SITE_URL": "https://fears.example/"}, "https://fears.example"),
        (
            {"SITE_URL": "", "ALLOWED_HOSTS": "www.fears.example,fears.example"},
            "https://www.fears.example",
        ),
    ],
)
def test_links_in_mail_name_the_site(env, site_url):
    result = run_python(
        "import aouad.settings.prod as s; print(s.SITE_URL)", **{**PRODUCTION, **env}
    )
    assert result.stdout.strip() == site_url, result.stderr


def test_a_wildcard_host_needs_site_url():
    env = {**PRODUCTION, "SITE_URL": "", "ALLOWED_HOSTS": ".fears.example"}
    result = run_settings("aouad.settings.prod", **env)
    assert "SITE_URL must be set" in result.stderr


def test_production_with_its_variables_starts_with_debug_off():
    result = run_settings("aouad.settings.prod", **PRODUCTION, DEBUG="1")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "False"


@pytest.mark.parametrize(
    ("module", "env", "required"),
    [
        ("aouad.settings.prod", PRODUCTION, "True"),
        ("aouad.settings.prod", {**PRODUCTION, "STAFF_REQUIRE_2FA": "0"}, "False"),
        ("aouad.settings.dev", {}, "False"),
        ("aouad.settings.dev", {"STAFF_REQUIRE_2FA": "1"}, "True"),
    ],
)
def test_staff_two_factor_is_on_in_production_and_off_by_default_in_development(
    module, env, required
):
    env = {k: v for k, v in os.environ.items() if k != "STAFF_REQUIRE_2FA"} | env
    result = run_python(f"import {module} as s; print(s.STAFF_REQUIRE_2FA)", **env)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == required


def test_development_needs_no_variable():
    result = run_settings("aouad.settings.dev")
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[1] == "True"


def test_database_url_selects_postgresql():
    result = run_settings("aouad.settings.dev", DATABASE_URL="postgres://u@127.0.0.1:5432/x")
    assert result.stdout.split()[0] == "django.db.backends.postgresql"


def test_embedded_default_is_sqlite():
    result = run_settings("aouad.settings.dev", DATABASE_URL="")
    assert result.stdout.split()[0] == "django.db.backends.sqlite3"


CACHE_OF = "import aouad.settings.dev as s; print(s.CACHES['default']['BACKEND'])"


def test_development_processes_share_one_cache():
    # runserver, the task worker and `make demo` must see each other's changes.
    result = run_python(CACHE_OF, REDIS_URL="")
    assert result.stdout.strip() == "django.core.cache.backends.filebased.FileBasedCache"


def test_development_uses_redis_when_given_one():
    result = run_python(CACHE_OF, REDIS_URL="redis://127.0.0.1:6379/5")
    assert result.stdout.strip() == "caching.backends.FailOpenRedisCache"


SETTINGS_MODULE_OF = "import os, {entry}; print(os.environ['DJANGO_SETTINGS_MODULE'])"


def test_manage_py_defaults_to_development():
    result = run_python(
        "import sys, runpy; sys.argv = ['manage.py', 'shell', '--no-imports', '-c', "
        "'from django.conf import settings; print(settings.SETTINGS_MODULE)']; "
        "runpy.run_path('manage.py', run_name='__main__')"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "aouad.settings.dev"


@pytest.mark.parametrize("entry", ["aouad.wsgi", "aouad.asgi"])
def test_servers_default_to_production(entry):
    result = run_python(SETTINGS_MODULE_OF.format(entry=entry), **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "aouad.settings.prod"


@pytest.mark.parametrize("entry", ["aouad.wsgi", "aouad.asgi"])
def test_servers_refuse_to_start_without_production_variables(entry):
    result = run_python(f"import {entry}")
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_django_settings_module_always_wins():
    result = run_python(
        SETTINGS_MODULE_OF.format(entry="aouad.wsgi"),
        DJANGO_SETTINGS_MODULE="aouad.settings.dev",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "aouad.settings.dev"


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
