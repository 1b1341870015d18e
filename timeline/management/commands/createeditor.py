import getpass
import os

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

EDITORS = "Editors"
PASSWORD_VARIABLE = "CITELINE_EDITOR_PASSWORD"


class Command(BaseCommand):
    help = (
        "Create a staff user in the Editors group: they can build the timeline in the admin but cannot delete "
        f"sources. The password is asked for, given with --password, or read from {PASSWORD_VARIABLE} with --no-input."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--email", default="")
        parser.add_argument("--password", help=f"Visible in the shell history; prefer the prompt or {PASSWORD_VARIABLE}.")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help=f"Do not prompt; take the password from {PASSWORD_VARIABLE}.",
        )

    def handle(self, *args, username, email, password, interactive, **options):
        User = get_user_model()
        try:
            group = Group.objects.get(name=EDITORS)
        except Group.DoesNotExist:
            raise CommandError(f"The “{EDITORS}” group does not exist: run `manage.py migrate` first.") from None
        user = User.objects.filter(username=username).first()
        password = password or os.environ.get(PASSWORD_VARIABLE)
        if not password and user is None:
            if not interactive:
                raise CommandError(f"No password: give --password, or set {PASSWORD_VARIABLE} when using --no-input.")
            password = self._prompt()
        candidate = user or User(username=username, email=email)
        if password:
            try:
                validate_password(password, candidate)
            except ValidationError as exc:
                raise CommandError(f"Password refused: {' '.join(exc.messages)}") from None
        with transaction.atomic():
            created = user is None
            user = candidate
            user.is_staff = True
            if email:
                user.email = email
            if password:
                user.set_password(password)
            try:
                user.full_clean(exclude=["password"] if not password else None)
            except ValidationError as exc:
                raise CommandError(
                    "; ".join(f"{name}: {' '.join(messages)}" for name, messages in exc.message_dict.items())
                ) from None
            user.save()
            user.groups.add(group)
        verb = "Created" if created else "Updated"
        self.stdout.write(self.style.SUCCESS(f"{verb} editor “{username}”: staff, in the {EDITORS} group. Sign in at /admin/."))

    def _prompt(self):
        for _ in range(3):
            first = getpass.getpass("Password: ")
            if first and first == getpass.getpass("Password (again): "):
                return first
            self.stderr.write("The passwords were empty or did not match; try again.")
        raise CommandError("No password given.")
