import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from aidportal.kernel.search import text_grams
from articles.models import Article
from personnel.models import Assignment, Person, Unit

pytestmark = pytest.mark.django_db


def seed(**counts):
    call_command("seed_bulk", stdout=io.StringIO(), **counts)


def roster():
    return list(
        Assignment.objects.order_by("pk").values_list(
            "person__name", "person__pinyin", "receiving_unit__name", "position"
        )
    )


def test_seed_writes_the_rows_asked_for_as_the_models_would():
    seed(people=300, articles=40, units=50)
    assert (Person.objects.count(), Assignment.objects.count()) == (300, 300)
    assert (Unit.objects.count(), Article.objects.count()) == (50, 40)
    for row in [*Person.objects.all()[:50], *Article.objects.all()[:10]]:
        assert row.search_grams == text_grams(row.search_text)
    # Names as the models store them: canonical, without padding.
    assert not Person.objects.filter(name__contains=" ").exists()
    short = Person.objects.filter(name_key__regex=r"^..$").first()
    assert short.name == short.name_key
    assert short.name_key in short.search_text and short.pinyin in short.search_text
    padded = f"{short.name[0]} {short.name[1]}"
    assert Assignment.objects.search(padded).filter(person=short).exists()
    article = Article.objects.published().first()
    assert article.body.startswith("<p>") and "\n" not in article.title


def test_seed_is_deterministic():
    seed(people=200, articles=0, units=30)
    first = roster()
    Assignment.objects.all().delete()
    Person.objects.all().delete()
    Unit.objects.all().delete()
    seed(people=200, articles=0, units=30)
    assert roster() == first


def test_people_added_after_a_seed_get_fresh_keys():
    seed(people=100, articles=0, units=10)
    person = Person.objects.create(name="新来的人")
    assert person.pk > max(
        Person.objects.exclude(pk=person.pk).values_list("pk", flat=True)
    )


def test_seed_refuses_negative_counts():
    with pytest.raises(CommandError):
        seed(people=-1)
