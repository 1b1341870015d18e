"""
The suite runs on the real settings module; these environment defaults only make `uv run pytest`
work on a fresh clone. DATABASE_URL is left alone so CI can point the suite at PostgreSQL.
"""

import os
import tempfile

TEST_ENVIRONMENT = {
    "DEBUG": "0",
    "SECRET_KEY": "tests-only-not-a-secret",
    "ALLOWED_HOSTS": "testserver,localhost,127.0.0.1",
    "SESSION_COOKIE_SECURE": "0",
    "CSRF_COOKIE_SECURE": "0",
    # The suite's own servers (gunicorn, manage.py demo) speak plain http.
    "SECURE_SSL_REDIRECT": "0",
}
for name, value in TEST_ENVIRONMENT.items():
    os.environ.setdefault(name, value)

from timeline.settings import *  # noqa: E402, F403

# Production hashes static file names at collectstatic time; the suite runs from the source tree.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}}  # noqa: F405
WHITENOISE_USE_FINDERS = True

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    # A file, not memory, so that servers the tests start (gunicorn) see the test database;
    # one per run, so that two runs on one machine do not share it.
    DATABASES["default"]["TEST"] = {"NAME": os.path.join(tempfile.gettempdir(), f"citeline-test-{os.getpid()}.sqlite3")}  # noqa: F405

# Archived copies of fetched pages go to a directory of this run, not the checkout's media/; servers the
# suite starts (gunicorn) inherit the environment variable, so they read the same files.
os.environ.setdefault("CITELINE_TEST_MEDIA_ROOT", os.path.join(tempfile.gettempdir(), f"citeline-test-media-{os.getpid()}"))
MEDIA_ROOT = os.environ["CITELINE_TEST_MEDIA_ROOT"]
