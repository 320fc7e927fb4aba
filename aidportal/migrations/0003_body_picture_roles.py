"""Editors and publishers upload pictures into bodies (kernel.BodyPicture) and
see the pictures of drafts they preview; reporters do not."""

from django.db import migrations

GRANTS = {"kernel": {"bodypicture": ["add", "change", "view", "delete"]}}
GROUPS = ["编辑", "发布"]


def grant_body_pictures(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # As 0001_roles: the permissions are normally created after migrate.
    app_config = apps.get_app_config("kernel")
    models_module = getattr(app_config, "models_module", None)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)
    app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    permissions = [
        Permission.objects.get(
            content_type__app_label=app, codename=f"{action}_{model}"
        )
        for app, models in GRANTS.items()
        for model, actions in models.items()
        for action in actions
    ]
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.add(*permissions)


def revoke_body_pictures(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = Permission.objects.filter(content_type__app_label="kernel")
    for group in Group.objects.filter(name__in=GROUPS):
        group.permissions.remove(*permissions)


class Migration(migrations.Migration):
    dependencies = [
        ("aidportal", "0002_search_grams"),
        ("kernel", "0001_body_pictures"),
    ]

    operations = [migrations.RunPython(grant_body_pictures, revoke_body_pictures)]
