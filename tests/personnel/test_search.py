"""People's part of the site search: by name, pinyin, or their assignments."""

import pytest

from personnel.models import Person
from personnel.search import provider, search_people
from tests.builders import make_assignment, make_batch, make_person, make_unit

pytestmark = pytest.mark.django_db


def test_people_are_found_by_name_pinyin_or_an_assignments_unit():
    ji = make_assignment(
        name="季 成",
        sending_unit=make_unit("浙江大学医学院附属第一医院", aliases="浙大一院"),
    ).person
    unassigned = make_person("季 晓")
    assert list(search_people("季成")) == [ji]
    assert list(search_people("jicheng")) == [ji]
    assert list(search_people("浙大一院")) == [ji]
    assert set(search_people("季")) == {ji, unassigned}


def test_hidden_people_and_empty_queries_find_nobody():
    make_assignment(name="隐藏者", is_public=False)
    assert not search_people("隐藏者").exists()
    assert not search_people("  ").exists()


def test_the_provider_names_its_group():
    assert (provider.name, str(provider.label)) == ("people", "人员")


def test_people_search_finds_hidden_people_for_staff_and_is_one_query(
    django_assert_num_queries,
):
    hidden = make_assignment(name="隐藏者", is_public=False).person
    assert list(Person.objects.search("zhang")) == []
    assert list(Person.objects.search("ycz")) == [hidden]
    with django_assert_num_queries(1):
        assert list(Person.objects.search("隐藏")) == [hidden]
    with django_assert_num_queries(0):
        assert list(Person.objects.search("")) == []


def test_people_are_found_by_every_spelling_of_the_name_and_by_their_batch():
    ji = make_assignment(name="季\u3000成", batch=make_batch(10)).person
    make_assignment(name="王芳", batch=make_batch(9))
    assert ji.name == "季成"
    for query in ("季成", "季 成", "季\u00a0成", "第十批", "十批", "10批", "第十批 jc"):
        assert list(search_people(query)) == [ji], query
    assert not search_people("第十一批").exists()


@pytest.mark.parametrize("common", [False, True], ids=["indexed", "walked"])
def test_a_common_term_finds_the_same_people_in_the_same_order(monkeypatch, common):
    """A common term (a unit word) tests people one by one in their order
    instead of reading the term's matches from the index: the same people,
    in the same order, by name, unit, alias or position, never a hidden one,
    never twice for two matching assignments."""
    monkeypatch.setattr("personnel.models.has_common_term", lambda rows: common)
    hospital = make_unit("阿克苏地区第一人民医院", aliases="地区一院")
    wang = make_assignment(name="王芳", receiving_unit=hospital).person
    make_assignment(person=wang, receiving_unit=hospital, batch=make_batch(9))
    ji = make_assignment(name="季成", position="地区一院副院长").person
    named = make_person("医院志")
    make_assignment(name="隐藏者", receiving_unit=hospital, is_public=False)
    make_assignment(name="张三")
    assert list(search_people("医院")) == [named, wang]
    assert list(search_people("地区一院")) == [ji, wang]
    assert list(search_people("第九批 医院")) == [wang]
    assert list(search_people("zhangsan")) == [Person.objects.get(name="张三")]


def test_traditional_queries_find_simplified_names_and_units():
    """A reader of the 繁體 pages types traditional characters: 張林 finds
    张林, 杭州市第一人民醫院 the hospital, 于乾 (乾 folds to 干) itself."""
    zhang = make_assignment(
        name="张林", sending_unit=make_unit("杭州市第一人民医院")
    ).person
    yu = make_person("于乾")
    assert list(search_people("張林")) == [zhang]
    assert list(search_people("杭州市第一人民醫院")) == [zhang]
    assert list(search_people("醫院")) == [zhang]
    assert list(search_people("于乾")) == [yu]
    assert list(search_people("乾")) == [yu]
