"""The docker-compose file and the production start command it runs."""

import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest
import yaml
from django.db import connection

from tests.servers import free_port, suite_database_url, wait_for

BASE_DIR = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((BASE_DIR / "docker-compose.yml").read_text())


def test_compose_has_postgres_with_healthcheck_and_volume():
    """The db service is PostgreSQL 16 with a healthcheck and a named volume that keeps the data."""
    db = COMPOSE["services"]["db"]
    assert db["image"].startswith("postgres:16")
    assert "pg_isready" in " ".join(db["healthcheck"]["test"])
    volume = db["volumes"][0].split(":")[0]
    assert volume in COMPOSE["volumes"]


def test_compose_web_waits_for_db_and_needs_a_secret():
    """web is built here, waits for a healthy db, and refuses to start without a SECRET_KEY."""
    web = COMPOSE["services"]["web"]
    assert web["build"] == "."
    assert web["depends_on"]["db"]["condition"] == "service_healthy"
    assert web["environment"]["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert web["environment"]["DEBUG"] == "0"
    assert web["environment"]["DATABASE_URL"].startswith("postgres://")


def test_dockerfile_runs_the_compose_start_command():
    """The image's default command is the same start command compose runs."""
    dockerfile = (BASE_DIR / "Dockerfile").read_text()
    cmd_line = next(line for line in dockerfile.splitlines() if line.startswith("CMD "))
    assert yaml.safe_load(cmd_line.removeprefix("CMD ")) == COMPOSE["services"]["web"]["command"]


@pytest.mark.django_db
def test_web_start_command_serves_healthz():
    """compose's web command (migrate, then gunicorn) starts against the test database and answers /healthz."""
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": suite_database_url(),
        "DEBUG": "0",
        "SECRET_KEY": "deploy-test",
        "ALLOWED_HOSTS": "127.0.0.1",
        "GUNICORN_CMD_ARGS": f"--bind 127.0.0.1:{port} --workers 1",
    }
    server = subprocess.Popen(
        COMPOSE["services"]["web"]["command"], cwd=BASE_DIR, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT
    )
    try:
        wait_for(f"http://127.0.0.1:{port}/healthz", server)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as response:
            assert response.status == 200
            assert json.load(response) == {"status": "ok", "database": connection.vendor}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_collectstatic_hashes_every_asset_for_production(tmp_path):
    """The image's collectstatic step (DEBUG off, hashed names) succeeds: every url() in the CSS resolves."""
    env = {
        **os.environ,
        "DEBUG": "0",
        "SECRET_KEY": "collectstatic-only",
        "ALLOWED_HOSTS": "localhost",
        "STATIC_ROOT": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr[-3000:]
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    for asset in ("citeline/citeline.css", "vendor/htmx/htmx-4.0.1.min.js", "citeline/embed.js"):
        assert (tmp_path / manifest[asset]).is_file()


def test_compose_runs_several_web_processes_behind_nginx_with_a_shared_cache():
    """`docker compose up --scale web=3`: web publishes no port (nginx does), shares Redis, and nginx proxies to every replica."""
    services = COMPOSE["services"]
    web, nginx = services["web"], services["nginx"]
    assert "ports" not in web and web["environment"]["CACHE_URL"].startswith("redis://redis:")
    assert web["depends_on"]["redis"]["condition"] == "service_healthy"
    assert services["redis"]["image"].startswith("redis:")
    assert nginx["ports"] == ["8000:80"] and nginx["depends_on"]["web"]["condition"] == "service_healthy"
    config = COMPOSE["configs"][nginx["configs"][0]["source"]]["content"]
    assert "server web:8000 resolve" in config and "proxy_pass http://citeline" in config
    assert "$$" not in config.replace("$$http_host", "").replace("$$proxy_add_x_forwarded_for", "").replace("$$scheme", "")
