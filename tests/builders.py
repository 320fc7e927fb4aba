"""Builders with good defaults: say only what the test is about."""

import importlib
import io
import itertools
import os
import xml.etree.ElementTree as ET
from datetime import timedelta
from pathlib import Path

from django import forms
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from aidportal.kernel.periods import partial_date_text
from articles.models import Article, ArticleImage, Channel
from personnel.models import Assignment, Batch, Category, Person, Term, Unit

_sequence = itertools.count(1)

# Every way published content (an article, a project) is not public, as the
# fields that make it so; computed at import, an hour or a day either side.
NOT_PUBLIC = {
    "draft": {"status": "draft"},
    "archived": {"status": "archived"},
    "scheduled": {"published_at": timezone.now() + timedelta(days=1)},
    "expired": {
        "published_at": timezone.now() - timedelta(days=2),
        "expires_at": timezone.now() - timedelta(days=1),
    },
}


def image_file(name="photo.jpg", size=(64, 48), color="#2a6f97", format="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def stored_files(media_root):
    """Every file under MEDIA_ROOT, relative to it."""
    root = Path(media_root)
    return sorted(
        str(Path(folder, name).relative_to(root))
        for folder, _dirs, names in os.walk(root)
        for name in names
    )


def make_channel(**fields):
    number = next(_sequence)
    fields.setdefault("name", f"栏目{number}")
    fields.setdefault("slug", f"channel-{number}")
    fields.setdefault("position", number)
    return Channel.objects.create(**fields)


def make_article(**fields):
    """A published article, an hour old, in a new channel unless one is given."""
    number = next(_sequence)
    if "channel" not in fields:
        fields["channel"] = make_channel()
    fields.setdefault("title", f"援疆医生在阿克苏开展新技术第{number}项")
    fields.setdefault("summary", "杭州援疆医生把新技术带到阿克苏。")
    fields.setdefault("body", "<p>正文第一段。</p>")
    fields.setdefault("status", Article.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    fields.setdefault("source", "杭州日报")
    fields.setdefault("author", "林尧")
    fields.setdefault("editor", "高婷婷")
    return Article.objects.create(**fields)


def make_article_image(article, **fields):
    fields.setdefault("image", image_file())
    fields.setdefault("alt", "医生查房")
    fields.setdefault("caption", "援疆医生在病房查房。")
    return ArticleImage.objects.create(article=article, **fields)


def make_unit(name=None, **fields):
    """The unit of that name, created if new (units are one row per name)."""
    name = name or f"杭州市第{next(_sequence)}中学"
    unit = Unit.objects.filter(name=name).first()
    return unit or Unit.objects.create(name=name, **fields)


def make_batch(number=10, **fields):
    return Batch.objects.get_or_create(number=number, defaults=fields)[0]


def make_term(batch=None, name="首期", **fields):
    """The batch's (10 unless given) term of that name, created if new."""
    return Term.objects.get_or_create(
        batch=batch or make_batch(), name=name, defaults=fields
    )[0]


def make_assignment(person=None, **fields):
    """An assignment of batch 10, with a new person and new units unless given;
    ``term`` may be a name (that term of its batch)."""
    if person is None:
        person = Person.objects.create(
            name=fields.pop("name", f"测试{next(_sequence)}"),
            category=fields.pop("category", Category.EDUCATION),
            status=_status(fields.pop("is_public", True)),
        )
    fields.setdefault("batch", make_batch())
    if isinstance(fields.get("term"), str):
        fields["term"] = make_term(fields["batch"], fields["term"])
    fields.setdefault("sending_unit", make_unit())
    fields.setdefault("receiving_unit", make_unit("阿克苏市实验中学"))
    fields.setdefault("position", "数学教师")
    return Assignment.objects.create(person=person, **fields)


def make_project(**fields):
    """A published project aid, an hour old, with no figures unless given."""
    from projects.models import Project

    number = next(_sequence)
    fields.setdefault("name", f"阿克苏援建项目第{number}号")
    fields.setdefault("category", Project.Category.PROJECT)
    fields.setdefault("summary", "杭州援建阿克苏的项目。")
    fields.setdefault("status", Project.Status.PUBLISHED)
    fields.setdefault("published_at", timezone.now() - timedelta(hours=1))
    return Project.objects.create(**fields)


def make_project_image(project, **fields):
    from projects.models import ProjectImage

    fields.setdefault("image", image_file())
    fields.setdefault("alt", "项目全景")
    fields.setdefault("caption", "建成后的项目全景。")
    return ProjectImage.objects.create(project=project, **fields)


def make_person(name=None, **fields):
    """A public person with no assignment unless given (``is_public=False``:
    a draft)."""
    name = name or f"测试{next(_sequence)}"
    if "is_public" in fields:
        fields["status"] = _status(fields.pop("is_public"))
    return Person.objects.create(name=name, **fields)


def _status(public: bool) -> str:
    return Person.Status.PUBLISHED if public else Person.Status.DRAFT


# Staff in a role, admin form payloads and database snapshots (admin tests).

EDITOR, PUBLISHER, REPORTER = "编辑", "发布", "记者"
ROLES = {"editor": EDITOR, "publisher": PUBLISHER, "reporter": REPORTER}


def ensure_roles():
    """The newsroom groups: the roles migration creates them, and the flush
    after each test that commits (transactional_db) removes them."""
    from django.apps import apps
    from django.contrib.auth.models import Group

    if Group.objects.filter(name__in=[EDITOR, PUBLISHER, REPORTER]).count() < 3:
        roles_migration = importlib.import_module("aidportal.migrations.0001_roles")
        roles_migration.create_roles(apps, None)
        pictures_migration = importlib.import_module(
            "aidportal.migrations.0003_body_picture_roles"
        )
        pictures_migration.grant_body_pictures(apps, None)
        typos_migration = importlib.import_module(
            "aidportal.kernel.migrations.0004_typos"
        )
        typos_migration.grant_typos(apps, None)


def make_staff(role, **fields):
    """A staff user in the role's group (编辑, 发布 or 记者)."""
    from django.contrib.auth.models import Group, User

    ensure_roles()
    fields.setdefault("username", f"staff{next(_sequence)}")
    user = User.objects.create_user(is_staff=True, **fields)
    user.groups.add(Group.objects.get(name=role))
    return user


def edit_version(obj):
    """The version of the row an admin change form of ``obj`` opened now
    carries (aidportal.kernel.admin.EditVersionMixin); none for a new row."""
    from django.contrib import admin

    if obj.pk is None:
        return {}
    model_admin = admin.site.get_model_admin(type(obj))
    return {model_admin.version_field: model_admin.edited_row().token(obj.pk)}


def restore_form(model, pk):
    """The trash's restore form of a deleted row as posted: the row and the
    deletion record the trash shows."""
    deletion = model.history.filter(id=pk, history_type="-").latest("history_date")
    return {"pk": pk, "version": deletion.history_id}


def unit_form(unit, **changes):
    """The admin change form of a unit as posted, with ``changes``."""
    fields = ("name", "short_name", "aliases", "kind", "region")
    values = {name: getattr(unit, name) for name in fields}
    return {**values, **edit_version(unit), **changes}


def batch_form(batch, **changes):
    """The admin change form of a batch as posted (its terms unchanged), with
    ``changes``."""
    terms = list(batch.terms.order_by("pk"))
    values = {
        "number": batch.number,
        "label": batch.label,
        "start": partial_date_text(batch.start),
        "end": partial_date_text(batch.end),
        **_management_form("terms", len(terms), len(terms)),
    }
    for index, term in enumerate(terms):
        prefix = f"terms-{index}-"
        values.update(
            {
                f"{prefix}id": term.pk,
                f"{prefix}batch": batch.pk,
                f"{prefix}name": term.name,
                f"{prefix}start": partial_date_text(term.start),
                f"{prefix}end": partial_date_text(term.end),
            }
        )
    return {**values, **edit_version(batch), **changes}


def _form_values(data):
    """POST values as a browser sends them: a ticked box is "on", an unticked
    one is left out, None is an empty field."""
    posted = {}
    for name, value in data.items():
        if value is False:
            continue
        if value is True:
            value = "on"
        posted[name] = "" if value is None else value
    return posted


def _split_datetime(name, value):
    if value is None:
        return {f"{name}_0": "", f"{name}_1": ""}
    local = timezone.localtime(value)
    return {f"{name}_0": local.date().isoformat(), f"{name}_1": f"{local:%H:%M:%S}"}


def _management_form(prefix, total=0, initial=0):
    return {
        f"{prefix}-TOTAL_FORMS": total,
        f"{prefix}-INITIAL_FORMS": initial,
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }


def _gallery_rows(images):
    rows = _management_form("images", len(images), len(images))
    for index, image in enumerate(images):
        prefix = f"images-{index}-"
        rows.update(
            {
                f"{prefix}id": image.pk,
                f"{prefix}alt": image.alt,
                f"{prefix}decorative": image.decorative,
                f"{prefix}caption": image.caption,
                f"{prefix}position": image.position,
            }
        )
    return rows


def _publishable_values(obj):
    return {
        "summary": obj.summary,
        "body": obj.body,
        "cover_alt": obj.cover_alt,
        "cover_caption": obj.cover_caption,
        "cover_decorative": obj.cover_decorative,
        "status": obj.status,
        **_split_datetime("published_at", obj.published_at),
        **_split_datetime("expires_at", obj.expires_at),
    }


def article_post(article=None, **overrides):
    """The admin change form of an article as a browser posts it (its gallery
    rows unchanged); without an article, a new draft (give ``channel``)."""
    if article is None:
        channel = overrides.pop("channel", None) or make_channel()
        article = Article(
            channel=channel,
            title=f"援疆教师开设公开课第{next(_sequence)}讲",
            summary="杭州援疆教师在阿克苏上公开课。",
            body="<p>正文。</p>",
            source="杭州日报",
            author="林尧",
            editor="高婷婷",
            status=Article.Status.DRAFT,
            published_at=timezone.now() - timedelta(hours=1),
        )
    images = list(article.images.order_by("pk")) if article.pk else []
    data = {
        "channel": article.channel_id,
        "title": article.title,
        "subtitle": article.subtitle,
        "source": article.source,
        "author": article.author,
        "editor": article.editor,
        "featured": article.featured,
        "projects": [p.pk for p in article.projects.all()] if article.pk else [],
        "people": [p.pk for p in article.people.all()] if article.pk else [],
        **_publishable_values(article),
        **_gallery_rows(images),
        **edit_version(article),
    }
    data.update(overrides)
    return _form_values(data)


def project_post(project=None, **overrides):
    """The admin change form of a project as a browser posts it (its gallery
    rows unchanged); without a project, a new draft."""
    from projects.models import Project

    if project is None:
        project = Project(
            name=f"阿克苏援建学校第{next(_sequence)}号",
            category=Project.Category.PROJECT,
            sector=Project.Sector.EDUCATION,
            summary="杭州援建的学校。",
            location="阿克苏市",
            status=Project.Status.DRAFT,
            published_at=timezone.now() - timedelta(hours=1),
        )
    images = list(project.images.order_by("pk")) if project.pk else []

    def day(value):
        return value.isoformat() if value else ""

    data = {
        "name": project.name,
        "category": project.category,
        "sector": project.sector,
        "stage": project.stage,
        "location": project.location,
        "start_date": day(project.start_date),
        "completion_date": day(project.completion_date),
        "investment": project.investment,
        "floor_area": project.floor_area,
        "jobs_created": project.jobs_created,
        "partner": project.partner,
        "people": [p.pk for p in project.people.all()] if project.pk else [],
        **_publishable_values(project),
        **_gallery_rows(images),
        **edit_version(project),
    }
    data.update(overrides)
    return _form_values(data)


def person_post(person=None, **overrides):
    """The admin change form of a person as a browser posts it (the inline
    rows of its assignments unchanged); without a person, a new hidden one."""
    if person is None:
        person = Person(
            name=f"测试{next(_sequence)}",
            category=Category.MEDICAL,
            status=Person.Status.DRAFT,
        )
    assignments = list(person.assignments.order_by("pk")) if person.pk else []
    data = {
        "name": person.name,
        "category": person.category,
        "status": person.status,
        "bio": person.bio,
        "photo_alt": person.photo_alt,
        **_management_form("assignments", len(assignments), len(assignments)),
        **edit_version(person),
    }
    for index, a in enumerate(assignments):
        prefix = f"assignments-{index}-"
        data.update(
            {
                f"{prefix}id": a.pk,
                f"{prefix}person": person.pk,
                f"{prefix}batch": a.batch_id,
                f"{prefix}term": a.term_id,
                f"{prefix}sending_unit": a.sending_unit_id,
                f"{prefix}receiving_unit": a.receiving_unit_id,
                f"{prefix}position": a.position,
                f"{prefix}arrived_on": a.arrived_on.isoformat() if a.arrived_on else "",
                f"{prefix}left_on": a.left_on.isoformat() if a.left_on else "",
            }
        )
    data.update(overrides)
    return _form_values(data)


def database_snapshot():
    """Every row of the content tables, of their history and many-to-many
    tables, of the admin log and of the audit log (but sign-ins): equal
    before and after a refused request."""
    from django.apps import apps
    from django.contrib.admin.models import LogEntry

    from aidportal.kernel.audit import AuditEntry

    models = [
        model
        for label in ("aidportal", "articles", "projects", "personnel")
        for model in apps.get_app_config(label).get_models(include_auto_created=True)
    ]
    snapshot = {
        model._meta.label: list(model._default_manager.order_by("pk").values())
        for model in [*models, LogEntry]
    }
    # Signing in is recorded too: a test's clients may sign in after it.
    acts = AuditEntry.objects.exclude(action__in=["login", "logout"])
    snapshot[AuditEntry._meta.label] = list(acts.order_by("pk").values())
    return snapshot


def gallery_inline_rows(*rows, prefix="images"):
    """A gallery inline of new rows, one per dict of image, alt, caption and
    decorative: add it to an article_post() or project_post() to upload."""
    data = _management_form(prefix, total=len(rows))
    for index, row in enumerate(rows):
        values = {"id": "", "alt": "", "caption": "", "position": 0, **row}
        data.update({f"{prefix}-{index}-{key}": v for key, v in values.items()})
    return _form_values(data)


def posted_form(response, *inline_prefixes):
    """The form of an admin page as a browser posts it unchanged, with the
    management forms of the given inline prefixes (no inline rows)."""
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        value = form[name].value()
        if isinstance(field, forms.FileField):
            continue
        if isinstance(field, forms.SplitDateTimeField):
            local = timezone.localtime(value) if value else None
            data[f"{name}_0"] = local.date().isoformat() if local else ""
            data[f"{name}_1"] = f"{local:%H:%M:%S}" if local else ""
        elif isinstance(field, forms.BooleanField):
            if value:
                data[name] = "on"
        elif isinstance(field, forms.ModelMultipleChoiceField):
            data[name] = [str(pk) for pk in value or []]
        else:
            data[name] = "" if value is None else value
    for prefix in inline_prefixes:
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": 0,
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
    return data


def form_errors(response):
    """The form errors of an admin page that did not redirect, for messages."""
    context = response.context or {}
    form = context.get("adminform")
    return form.form.errors if form else response.status_code


def xlsx_bytes(rows, header=None):
    """An XLSX workbook of ``rows`` (after ``header``, if given)."""
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in [header, *rows] if header else rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_upload(text, name="roster.csv"):
    """A CSV file as a browser uploads it, in UTF-8 with a BOM (Excel's)."""
    return SimpleUploadedFile(
        name, ("\ufeff" + text).encode("utf-8"), content_type="text/csv"
    )


def nonce_of(response):
    """The script nonce of a response's Content-Security-Policy, or None."""
    import re

    header = response.headers.get("Content-Security-Policy", "")
    match = re.search(r"'nonce-([^']+)'", header)
    return match.group(1) if match else None


# Roster downloads


def export(client, fmt, **params):
    """GET the roster's export in ``fmt`` ("csv" or "xlsx") with filters."""
    from django.urls import reverse

    return client.get(reverse(f"personnel:export-{fmt}"), params)


def csv_rows(response):
    import codecs
    import csv

    body = b"".join(response.streaming_content)
    assert body.startswith(codecs.BOM_UTF8)
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"), newline="")))


def xlsx_rows(response):
    import openpyxl

    body = b"".join(response.streaming_content)
    workbook = openpyxl.load_workbook(io.BytesIO(body))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def rows_of(response, fmt):
    """Header and rows of an export, whichever the format."""
    return csv_rows(response) if fmt == "csv" else xlsx_rows(response)


def facet(response, name):
    """One facet of the page as {value: count}."""
    return {row["value"]: row["count"] for row in response.context["facets"][name]}


def xml_of(response):
    """The parsed XML document of a feed or sitemap response."""
    return ET.fromstring(response.content)


def tags(response, name):
    """The attributes of every <name> element of a page, in page order."""
    from html.parser import HTMLParser

    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == name:
                found.append({key: value or "" for key, value in attrs})

    Parser(convert_charrefs=True).feed(response.content.decode())
    return found
