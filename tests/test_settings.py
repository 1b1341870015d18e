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


def production_environment(**environ):
    """The suite's environment without its settings, plus what an operator sets in production."""
    from tests.settings import TEST_ENVIRONMENT

    # DJANGO_ALLOW_ASYNC_UNSAFE: the browser tests set it for Playwright, and the deploy check rightly refuses it.
    ours = set(TEST_ENVIRONMENT) | {"DJANGO_SETTINGS_MODULE", "DATABASE_URL", "CSRF_TRUSTED_ORIGINS", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    env = {key: value for key, value in os.environ.items() if key not in ours and not key.startswith(("SECURE_", "AXES_"))}
    return {
        **env,
        "DEBUG": "0",
        "SECRET_KEY": "k7Vq-" + "x9Lm2pR4tW8zB3nD6fH1jK5s" * 3,
        "ALLOWED_HOSTS": "citeline.example.org",
        **environ,
    }


def test_deploy_check_passes_with_production_settings():
    """`check --deploy --fail-level WARNING` passes with only DEBUG=0, SECRET_KEY and ALLOWED_HOSTS set."""
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR, env=production_environment(), capture_output=True, text=True,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


PRINT_SECURITY = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({name: getattr(settings, name, None) for name in ('SECURE_SSL_REDIRECT', 'SECURE_HSTS_SECONDS', "
    "'SECURE_HSTS_INCLUDE_SUBDOMAINS', 'SECURE_HSTS_PRELOAD', 'SECURE_PROXY_SSL_HEADER', 'SESSION_COOKIE_SECURE', "
    "'CSRF_COOKIE_SECURE')}))"
)


def security_settings(**environ):
    env = {**production_environment(**environ), "DJANGO_SETTINGS_MODULE": "timeline.settings"}
    result = subprocess.run([sys.executable, "-c", PRINT_SECURITY], cwd=BASE_DIR, env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_production_is_https_only_by_default():
    """Production redirects to HTTPS, sends HSTS for a year (subdomains, no preload), secure cookies, trusts no proxy header."""
    values = security_settings()
    assert values["SECURE_SSL_REDIRECT"] is True
    assert values["SECURE_HSTS_SECONDS"] == 31536000
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True and values["SECURE_HSTS_PRELOAD"] is False
    assert values["SESSION_COOKIE_SECURE"] is True and values["CSRF_COOKIE_SECURE"] is True
    assert values["SECURE_PROXY_SSL_HEADER"] is None


def test_https_settings_come_from_the_environment():
    """HSTS, its subdomains and preload, the redirect and the proxy header are each set from the environment."""
    values = security_settings(
        SECURE_HSTS_SECONDS="3600", SECURE_HSTS_INCLUDE_SUBDOMAINS="0", SECURE_HSTS_PRELOAD="1",
        SECURE_SSL_REDIRECT="0", PROXY_SETS_X_FORWARDED_PROTO="1",
    )  # fmt: skip
    assert values["SECURE_HSTS_SECONDS"] == 3600
    assert values["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is False and values["SECURE_HSTS_PRELOAD"] is True
    assert values["SECURE_SSL_REDIRECT"] is False
    assert values["SECURE_PROXY_SSL_HEADER"] == ["HTTP_X_FORWARDED_PROTO", "https"]


def test_cache_url_chooses_the_cache_and_refuses_what_it_does_not_know():
    """CACHE_URL=redis://… shares the cache between web processes; local memory by default; nonsense is named."""
    from timeline.settings import cache_from_url

    assert cache_from_url("redis://redis:6379/0")["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert cache_from_url("locmem://")["BACKEND"] == "django.core.cache.backends.locmem.LocMemCache"
    result = run_settings(DEBUG="1", CACHE_URL="memcache://somewhere")
    assert result.returncode != 0 and "CACHE_URL='memcache://somewhere'" in result.stderr and "redis://" in result.stderr
