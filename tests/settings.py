"""
The suite runs on the real settings module; these environment defaults only make `uv run pytest`
work on a fresh clone. DATABASE_URL is left alone so CI can point the suite at PostgreSQL.
"""

import os

TEST_ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "tests-only-not-a-secret",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
}
for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)

from timeline.settings import *  # noqa: E402, F403
