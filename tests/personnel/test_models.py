from datetime import date

import pytest
from django.db import IntegrityError, transaction

from aidportal.kernel.chinese import normalize
from personnel.models import Assignment, Batch, Category, Person, Unit, batch_and_key
from tests.builders import make_assignment, make_batch, make_unit

pytestmark = pytest.mark.django_db


def test_person_derives_key_pinyin_and_initials_on_save():
    person = Person.objects.create(name=" 曾\u3000晓明 ")
    assert (person.name, person.name_key) == ("曾晓明", "曾晓明")
    assert person.pinyin == "zengxiaoming cengxiaoming"
    assert person.initials == "zxm cxm"


@pytest.mark.parametrize(
    ("printed", "stored"),
    [
        ("季 成", "季成"),
        ("季\u3000成", "季成"),
        ("季\u00a0成", "季成"),
        ("阿依古丽 • 买买提", "阿依古丽·买买提"),
        ("Anna\u00a0Li", "Anna Li"),
    ],
)
def test_a_person_is_stored_under_the_canonical_name(printed, stored):
    person = Person.objects.create(name=printed)
    person.refresh_from_db()
    assert person.name == stored
    assert person.name_key == normalize(printed)
    assert list(Person.objects.search(printed)) == [person]
    assert list(Person.objects.search(stored)) == [person]


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


# Aliases of units


def test_aliases_are_split_on_every_separator_and_kept_once():
    unit = make_unit(
        "浙江大学医学院附属第一医院",
        short_name="浙大一院",
        aliases=" 浙一医院，浙一；浙大一院\n浙一 , 浙江大学医学院附属第一医院、",
    )
    assert unit.aliases == "浙一医院、浙一、浙大一院、浙江大学医学院附属第一医院"
    assert unit.alias_keys == [
        "浙一医院",
        "浙一",
        "浙大一院",
        "浙江大学医学院附属第一医院",
    ]
    # What pages show beside the name: neither the name nor a repeat.
    assert unit.other_names == ["浙大一院", "浙一医院", "浙一"]
    assert Unit(name="阿克苏市人民医院").other_names == []


def test_unit_facets_carry_the_short_names_and_aliases():
    sender = make_unit(
        "杭州市第一人民医院", short_name="杭州市一医院", aliases="杭一医"
    )
    make_assignment(sending_unit=sender, receiving_unit=make_unit("阿克苏市人民医院"))
    facets = Assignment.objects.all().facets()
    assert [(f["label"], f["hint"]) for f in facets["sending_unit"]] == [
        ("杭州市第一人民医院", "杭州市一医院、杭一医")
    ]
    assert [(f["label"], f["hint"]) for f in facets["receiving_unit"]] == [
        ("阿克苏市人民医院", "")
    ]
    assert "hint" not in facets["batch"][0]


# Batch words in a search


@pytest.mark.parametrize(
    ("query", "batch", "key"),
    [
        ("第十批", 10, ""),
        ("十批", 10, ""),
        ("10批", 10, ""),
        ("第10批", 10, ""),
        ("第 10 批", 10, ""),
        ("第１０批", 10, ""),
        ("第十批次", 10, ""),
        ("第二十批", 20, ""),
        ("二十批", 20, ""),
        ("第一批", 1, ""),
        ("11批", 11, ""),
        ("第十批 季 成", 10, "季成"),
        ("季成 第十批", 10, "季成"),
        ("季 成", None, "季成"),
        ("第十", None, "第十"),
        ("十十批", None, "十十批"),
        ("1011批", None, "1011批"),
        ("九十九十批", None, "九十九十批"),
        ("", None, ""),
    ],
)
def test_a_batch_word_is_read_out_of_a_query(query, batch, key):
    assert batch_and_key(query) == (batch, key)


@pytest.fixture
def four_batches():
    """One assignment in each of batches 1, 10, 11 and 20, by number."""
    return {
        number: make_assignment(name=f"援疆{number}", batch=make_batch(number))
        for number in (1, 10, 11, 20)
    }


@pytest.mark.parametrize(
    ("query", "number"),
    [
        ("第十批", 10),
        ("十批", 10),
        ("10批", 10),
        ("第10批", 10),
        ("第二十批", 20),
        ("1批", 1),
        ("第十一批", 11),
    ],
)
def test_a_batch_word_finds_that_batch_and_no_other(four_batches, query, number):
    assignment = four_batches[number]
    assert list(Assignment.objects.search(query)) == [assignment]
    assert list(Person.objects.search(query)) == [assignment.person]


def test_a_batch_word_and_a_name_find_the_person_in_that_batch(four_batches):
    ji = make_assignment(name="季 成", batch=make_batch(10))
    make_assignment(ji.person, batch=make_batch(11))
    found = Assignment.objects.search("第十批 季 成")
    assert [(a.person.name, a.batch.number) for a in found] == [("季成", 10)]
    assert list(Person.objects.search("第十一批 jicheng")) == [ji.person]
    assert not Assignment.objects.search("第二十批 季成").exists()
    assert not Person.objects.search("第九批").exists()
