#!/usr/bin/env python
"""Django's command-line utility for Citeline."""

import os
import sys


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "timeline.settings")
    # manage.py is the development entry point (demo, runserver, shell): debug is on unless the
    # environment says otherwise. The production entry points (wsgi.py, asgi.py) never do this.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
