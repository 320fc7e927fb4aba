from datetime import date

import pytest
from django.db import IntegrityError, transaction

from personnel.models import Assignment, Batch, Category, Person, Unit
from tests.builders import make_assignment, make_batch, make_unit

pytestmark = pytest.mark.django_db


def test_person_derives_key_pinyin_and_initials_on_save():
    person = Person.objects.create(name=" 曾\u3000晓明 ")
    assert (person.name, person.name_key) == ("曾\u3000晓明", "曾晓明")
    assert person.pinyin == "zengxiaoming cengxiaoming"
    assert person.initials == "zxm cxm"


def test_blank_name_is_refused_by_the_database():
    with pytest.raises(IntegrityError), transaction.atomic():
        Person.objects.create(name="\u3000 ")


def test_units_are_one_row_per_normalised_name():
    make_unit("杭州市第一人民医院")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_unit("杭州市 第一人民医院")


def test_assignment_is_unique_per_person_batch_and_receiving_unit():
    first = make_assignment()
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assignment(
            person=first.person,
            batch=first.batch,
            receiving_unit=first.receiving_unit,
        )
    second_term = make_assignment(
        person=first.person, batch=make_batch(11), receiving_unit=first.receiving_unit
    )
    assert second_term.pk


def test_leaving_before_arriving_is_refused():
    with pytest.raises(IntegrityError), transaction.atomic():
        make_assignment(arrived_on=date(2021, 7, 1), left_on=date(2021, 6, 30))


def test_batch_label_is_generated():
    assert Batch.objects.create(number=12).label == "第十二批"
    assert Batch.objects.create(number=3, label="第三批(援疆)").label == "第三批(援疆)"


def test_saving_a_unit_or_person_does_not_rewrite_their_assignments():
    """save() keeps one row consistent: the assignments that repeat a unit's
    aliases or a person's name are a service's (assignments_refresh_search)."""
    assignment = make_assignment(sending_unit=make_unit("杭州市第一人民医院"))
    unit = assignment.sending_unit
    unit.aliases = "浙大一院"
    unit.save()
    assert not Assignment.objects.search("浙大一院").exists()


def test_a_match_never_spans_two_parts_of_the_search_text():
    make_assignment(name="季成", position="副院长")
    # "jc" + the first letters of the sending unit would join across a part.
    assert not Assignment.objects.search("jc杭").exists()


def test_in_post_on_a_day():
    open_ended = make_assignment(arrived_on=date(2020, 3, 1))
    returned = make_assignment(arrived_on=date(2020, 3, 1), left_on=date(2021, 6, 28))
    undated = make_assignment()
    on = Assignment.objects.in_post_on
    assert set(on(date(2021, 6, 28))) == {open_ended, returned, undated}
    assert set(on(date(2021, 6, 29))) == {open_ended, undated}
    assert set(on(date(2020, 2, 29))) == {undated}


def test_facets_count_rows_by_each_dimension():
    hospital = make_unit("阿克苏市人民医院")
    school = make_unit("阿克苏市实验中学")
    for _ in range(3):
        make_assignment(receiving_unit=hospital, category=Category.MEDICAL)
    make_assignment(receiving_unit=school, batch=make_batch(11))

    facets = Assignment.objects.all().facets()

    assert [(f["label"], f["count"]) for f in facets["batch"]] == [
        ("第十一批", 1),
        ("第十批", 3),
    ]
    assert [(f["value"], f["count"]) for f in facets["category"]] == [
        (Category.MEDICAL, 3),
        (Category.EDUCATION, 1),
    ]
    assert [(f["label"], f["count"]) for f in facets["receiving_unit"]] == [
        ("阿克苏市人民医院", 3),
        ("阿克苏市实验中学", 1),
    ]
    assert sum(f["count"] for f in facets["sending_unit"]) == 4
    assert facets["in_post_today"] == 4


def test_people_published_excludes_hidden_people():
    shown = make_assignment().person
    make_assignment(is_public=False)
    assert list(Person.objects.published()) == [shown]
    assert list(Assignment.objects.published().values_list("person", flat=True)) == [
        shown.pk
    ]


@pytest.mark.parametrize(
    ("count", "searching", "sorts_matches"),
    [(10, True, True), (11, True, False), (10, False, False)],
    ids=["few-matches", "too-many-matches", "no-search"],
)
def test_a_page_sorts_a_search_s_few_matches_itself(
    settings, count, searching, sorts_matches
):
    settings.LIST_COUNT_CAP = 10
    for name in ("周正", "安然", "马力"):
        make_assignment(name=name, position="医生")
    rows = Assignment.objects.search("医生").order_by("-person__name_key", "pk")
    page = rows.for_page(count=count, searching=searching)
    assert ("COALESCE" in str(page.query)) is sorts_matches
    assert list(page) == list(rows)


@pytest.mark.parametrize(
    "aliases",
    ["浙大一院，浙一医院；浙一", "浙大一院,浙一医院;浙一", "浙大一院、浙一医院\n浙一"],
)
def test_aliases_are_split_on_full_and_half_width_separators(aliases):
    assert Unit(name="浙江大学医学院附属第一医院", aliases=aliases).alias_keys == [
        "浙大一院",
        "浙一医院",
        "浙一",
    ]
