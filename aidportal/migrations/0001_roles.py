"""The newsroom roles: 编辑 (editor), 发布 (publisher), 记者 (reporter).

Editors write drafts; publishers also publish, unpublish, archive and delete;
reporters read the roster in the admin and export it. The admin enforces what
the permissions leave open (an editor cannot change published content).
"""

from django.db import migrations

EDITOR = {
    "articles": {
        "article": ["add", "change", "view", "delete"],
        "articleimage": ["add", "change", "view", "delete"],
        "channel": ["view"],
    },
    "projects": {
        "project": ["add", "change", "view", "delete"],
        "projectimage": ["add", "change", "view", "delete"],
    },
    "personnel": {
        "person": ["add", "change", "view", "delete"],
        "assignment": ["add", "change", "view", "delete"],
        "unit": ["add", "change", "view"],
        "batch": ["add", "change", "view"],
    },
}
PUBLISHER_EXTRA = {
    "articles": {"article": ["publish"], "channel": ["add", "change"]},
    "projects": {"project": ["publish"]},
    "personnel": {"person": ["publish"]},
}
REPORTER = {
    "personnel": {
        "person": ["view"],
        "assignment": ["view"],
        "unit": ["view"],
        "batch": ["view"],
    },
}
ROLES = {
    "编辑": [EDITOR],
    "发布": [EDITOR, PUBLISHER_EXTRA],
    "记者": [REPORTER],
}


def codenames(grants):
    for app_label, models in grants.items():
        for model, actions in models.items():
            for action in actions:
                yield app_label, f"{action}_{model}"


def create_roles(apps, schema_editor):
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate; the roles need them now.
    for app_config in apps.get_app_configs():
        # create_permissions skips apps without a models module, which the
        # migration state's app configs lack; put back what was there (the
        # browser tests call this with the real registry).
        models_module = getattr(app_config, "models_module", None)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = models_module

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, grant_sets in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for grants in grant_sets
            for app, codename in codenames(grants)
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("articles", "0001_initial"),
        ("personnel", "0001_initial"),
        ("projects", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
