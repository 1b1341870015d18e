"""
`manage.py migrate`, one process at a time on PostgreSQL.

Every web container runs migrate before gunicorn (docker-compose.yml), so `docker compose up --scale
web=3` starts three at once against one database. Unlocked, two of them fail on a fresh database
(duplicate tables, a column another has not added yet) and their containers exit. Under an advisory
lock the first applies the migrations and the others, once it is done, find nothing left to apply.
"""

from django.core.management.commands.migrate import Command as DjangoMigrateCommand
from django.db import connections

# Any number no other code locks: the bytes of "citeline" read as an integer.
MIGRATE_LOCK_KEY = int.from_bytes(b"citeline", "big") & 0x7FFF_FFFF_FFFF_FFFF


class Command(DjangoMigrateCommand):
    help = DjangoMigrateCommand.help + " On PostgreSQL, processes migrating the same database take turns."

    def handle(self, *args, **options):
        connection = connections[options["database"]]
        if connection.vendor != "postgresql":
            return super().handle(*args, **options)
        # A session lock on the connection the migrations run on: released when it closes, even if this process dies.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s)", [MIGRATE_LOCK_KEY])
        try:
            return super().handle(*args, **options)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s)", [MIGRATE_LOCK_KEY])
