import pytest
from django.core.management import call_command

from articles.models import Article, ArticleImage, Channel
from personnel.models import Assignment, Person, Unit

pytestmark = pytest.mark.django_db

CHANNEL_NAMES = [
    "援阿概况",
    "地理区位",
    "前沿动态",
    "杭网追踪",
    "援建成果",
    "援建故事",
    "阿克苏特产",
    "阿克苏风光",
]


def counts():
    return (
        Channel.objects.count(),
        Article.objects.count(),
        Article.objects.published().count(),
        ArticleImage.objects.count(),
        Unit.objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
    )


def test_load_demo_twice_gives_the_same_content(media_root):
    call_command("load_demo")
    first = counts()
    call_command("load_demo")
    assert counts() == first
    assert list(Channel.objects.values_list("name", flat=True)) == CHANNEL_NAMES
    assert first[2] >= 6
    assert first[3] > 0
    assert all(article.cover for article in Article.objects.all())
    assert (media_root / Article.objects.first().cover.name).is_file()


def test_every_demo_article_has_a_cover_with_alt_text_and_credits():
    call_command("load_demo")
    for article in Article.objects.all():
        assert article.cover_alt and article.cover_caption
        assert article.source and article.editor
        assert article.cover_width == 1200


def test_load_demo_if_empty_leaves_existing_content_alone():
    Channel.objects.create(name="自建栏目", slug="own")
    call_command("load_demo", if_empty=True)
    assert counts() == (1, 0, 0, 0, 0, 0, 0)


def test_load_demo_imports_the_reference_roster():
    call_command("load_demo")
    assert Assignment.objects.filter(batch__number=10, term="首期").count() == 43
    assert Unit.objects.get(name="浙江大学附属中学").short_name == "浙大附中"
    assert Assignment.objects.search("浙大附中").get().person.name == "李 鸣"
