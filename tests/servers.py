"""Helpers for tests that start a real server (gunicorn, `manage.py demo`) in another process."""

import socket
import time
import urllib.error
import urllib.request

from django.db import connection


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def suite_database_url():
    """A DATABASE_URL naming the test database the suite has created and filled."""
    settings = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{settings['NAME']}"
    auth = settings["USER"] + (f":{settings['PASSWORD']}" if settings["PASSWORD"] else "")
    return f"postgres://{auth}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{settings['NAME']}"


def wait_for(url, process, timeout=60):
    """Wait until `url` answers (any status); fail with the server's output if it dies or never answers."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except urllib.error.HTTPError:
            return
        except OSError:  # refused, reset or timed out while the server starts
            if process.poll() is not None or time.monotonic() > deadline:
                output = process.stdout.read() if process.stdout else ""
                output = output.decode(errors="replace") if isinstance(output, bytes) else output
                raise RuntimeError(f"server at {url} did not start:\n{output[-3000:]}") from None
            time.sleep(0.2)
