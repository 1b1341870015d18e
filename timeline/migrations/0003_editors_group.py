"""The “Editors” group: everything editors need to build the timeline in the admin, and no deleting sources."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITORS = "Editors"
# (app label, model, actions). Sources can be uploaded and corrected but never deleted: their
# passages hold the evidence. Citations can be deleted by hand (the history keeps them), events not.
EDITOR_PERMISSIONS = [
    ("timeline", "event", ("view", "add", "change")),
    ("timeline", "citation", ("view", "add", "change", "delete")),
    ("timeline", "actor", ("view", "add", "change")),
    ("timeline", "theme", ("view", "add", "change")),
    ("timeline", "period", ("view", "add", "change")),
    ("sources", "source", ("view", "add", "change")),
    ("sources", "passage", ("view", "add", "change")),
    ("sources", "datemention", ("view", "add", "change")),
    ("sources", "sourceversion", ("view",)),
    ("timeline", "historicalevent", ("view",)),
    ("timeline", "historicalcitation", ("view",)),
]


def editors_group_create(apps, schema_editor):
    # Permissions are normally created after all migrations ran; this one needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS)
    codenames = {(app, f"{action}_{model}") for app, model, actions in EDITOR_PERMISSIONS for action in actions}
    permissions = [
        permission
        for permission in Permission.objects.select_related("content_type").filter(content_type__app_label__in={"timeline", "sources"})
        if (permission.content_type.app_label, permission.codename) in codenames
    ]
    group.permissions.add(*permissions)


def editors_group_delete(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=EDITORS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("sources", "0003_source_first_versions"),
        ("timeline", "0002_citation_anchor_status_history"),
    ]

    operations = [migrations.RunPython(editors_group_create, editors_group_delete)]
