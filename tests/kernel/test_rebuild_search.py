"""manage.py rebuild_search: every search text derived again, after a rule
changed (simulated by texts written under an older rule)."""

import io

import pytest
from django.core.management import CommandError, call_command

from aidportal.kernel.caching import site_version
from articles.models import Article
from personnel.models import Assignment, Person, Unit
from tests.builders import make_article, make_assignment, make_unit

pytestmark = pytest.mark.django_db


@pytest.fixture
def stale():
    """Rows whose derived fields an older rule wrote (here: nothing)."""
    assignment = make_assignment(
        name="曾 晓明", sending_unit=make_unit("杭州市第一人民医院", aliases="市一医院")
    )
    article = make_article(title="援疆医生完成首台手术")
    for model in (Person, Unit, Assignment, Article):
        model.objects.update(search_text="", search_grams="")
    Person.objects.update(pinyin="", initials="")
    return assignment, article


def test_rebuild_search_derives_every_text_again(stale):
    assignment, article = stale
    assert not Assignment.objects.search("zxm").exists()
    output = io.StringIO()
    call_command("rebuild_search", stdout=output)
    assert list(Assignment.objects.search("zxm")) == [assignment]
    assert list(Assignment.objects.search("cengxiaoming")) == [assignment]
    assert list(Assignment.objects.search("市一医院")) == [assignment]
    assert list(Person.objects.filter(search_text__substring="zengxiaoming")) == [
        assignment.person
    ]
    assert list(Article.objects.search("首台手术")) == [article]
    text = output.getvalue()
    for label, rows in [
        ("personnel.Person", 1),
        ("personnel.Unit", Unit.objects.count()),
        ("personnel.Assignment", 1),
        ("articles.Article", 1),
    ]:
        assert f"{label}: {rows} rows" in text
    # People and units come before the assignments that repeat them.
    assert text.index("personnel.Person") < text.index("personnel.Assignment")


def test_rebuild_search_invalidates_the_cached_pages(stale):
    before = site_version()
    call_command("rebuild_search", "--model", "personnel.Person", stdout=io.StringIO())
    assert site_version() != before


def test_rebuild_search_of_one_model(stale):
    call_command("rebuild_search", "--model", "personnel.Person", stdout=io.StringIO())
    assert Person.objects.filter(search_text__substring="zxm").exists()
    assert not Assignment.objects.search("zxm").exists()


@pytest.mark.parametrize("label", ["personnel.Nobody", "auth.User", "nonsense"])
def test_rebuild_search_refuses_what_is_not_searchable(label):
    with pytest.raises(CommandError):
        call_command("rebuild_search", "--model", label, stdout=io.StringIO())
