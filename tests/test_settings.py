"""Settings come from the environment, and a missing production secret stops start-up with a clear message."""

import json
import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
PRINT_SETTINGS = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'debug': settings.DEBUG, 'engine': settings.DATABASES['default']['ENGINE'], "
    "'name': str(settings.DATABASES['default']['NAME']), 'hosts': settings.ALLOWED_HOSTS, "
    "'origins': settings.CSRF_TRUSTED_ORIGINS, 'secret': settings.SECRET_KEY}))"
)


def run_settings(**environ):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "CSRF_TRUSTED_ORIGINS"}
    }
    env.update(environ, DJANGO_SETTINGS_MODULE="timeline.settings")
    return subprocess.run([sys.executable, "-c", PRINT_SETTINGS], cwd=BASE_DIR, env=env, capture_output=True, text=True)


def test_production_without_secret_key_stops_naming_the_variable():
    """With DEBUG off and no SECRET_KEY, start-up fails and says to set SECRET_KEY."""
    result = run_settings(DEBUG="0", ALLOWED_HOSTS="example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr
    assert "ImproperlyConfigured" in result.stderr


def test_production_without_allowed_hosts_stops_naming_the_variable():
    """With DEBUG off and no ALLOWED_HOSTS, start-up fails and says to set ALLOWED_HOSTS."""
    result = run_settings(DEBUG="0", SECRET_KEY="x" * 50)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is not set" in result.stderr


def test_debug_has_a_development_secret_and_local_hosts():
    """DEBUG=1 starts without configuration: development key, localhost only, SQLite in the project folder."""
    result = run_settings(DEBUG="1")
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["debug"] is True
    assert values["secret"].startswith("django-insecure")
    assert values["hosts"] == ["localhost", "127.0.0.1", "[::1]"]
    assert values["engine"] == "django.db.backends.sqlite3"
    assert values["name"] == str(BASE_DIR / "db.sqlite3")


def test_environment_sets_database_hosts_and_origins():
    """DATABASE_URL=postgres://… selects PostgreSQL (psycopg 3); host and origin lists are comma-separated."""
    result = run_settings(
        DEBUG="0",
        SECRET_KEY="y" * 50,
        ALLOWED_HOSTS="citeline.example.org, www.example.org",
        CSRF_TRUSTED_ORIGINS="https://citeline.example.org",
        DATABASE_URL="postgres://editor@db.example.org:5432/citeline",
    )
    assert result.returncode == 0, result.stderr
    values = json.loads(result.stdout)
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["name"] == "citeline"
    assert values["hosts"] == ["citeline.example.org", "www.example.org"]
    assert values["origins"] == ["https://citeline.example.org"]
    assert values["debug"] is False


def test_misspelt_boolean_is_refused():
    """DEBUG=maybe is refused with the values that would work, rather than guessed."""
    result = run_settings(DEBUG="maybe")
    assert result.returncode != 0
    assert "DEBUG='maybe' is not a boolean" in result.stderr
