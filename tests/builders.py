"""Builders with good defaults: say only what the test is about."""

import io
import itertools
from datetime import timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from articles.models import Article, ArticleImage, Channel
from personnel.models import Assignment, Batch, Category, Person, Unit

_sequence = itertools.count(1)


def image_file(name="photo.jpg", size=(64, 48), color="#2a6f97", format="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=format)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


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


def make_assignment(person=None, **fields):
    """An assignment of batch 10, with a new person and new units unless given."""
    if person is None:
        person = Person.objects.create(
            name=fields.pop("name", f"测试{next(_sequence)}"),
            category=fields.pop("category", Category.EDUCATION),
            is_public=fields.pop("is_public", True),
        )
    fields.setdefault("batch", make_batch())
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
    """A public person with no assignment unless given."""
    name = name or f"测试{next(_sequence)}"
    return Person.objects.create(name=name, **fields)
