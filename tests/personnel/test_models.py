from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from aidportal.kernel.chinese import normalize
from personnel.models import (
    Assignment,
    Batch,
    Category,
    Person,
    PostStatus,
    Term,
    Unit,
    batch_and_key,
)
from tests.builders import make_assignment, make_batch, make_term, make_unit

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
    make_assignment()  # no date anywhere: never counted as in post
    make_assignment(left_on=date(2021, 6, 28))  # when it began is unknown
    on = Assignment.objects.in_post_on
    assert set(on(date(2021, 6, 28))) == {open_ended, returned}
    assert set(on(date(2021, 6, 29))) == {open_ended}
    assert set(on(date(2020, 2, 29))) == set()


# Dates: an assignment's own, else its term's, else its batch's.

MARCH_2020 = (date(2020, 3, 1), date(2020, 3, 31))
TERM_END = (date(2021, 6, 28), date(2021, 6, 28))
IN_POST, LEFT, NOT_YET, UNKNOWN = (
    PostStatus.IN_POST,
    PostStatus.LEFT,
    PostStatus.NOT_YET,
    PostStatus.UNKNOWN,
)


@pytest.fixture
def batch_ten():
    """The reference batch: came in March 2020 (no day known), its end not
    told; its first term came home on 2021-06-28 (its start is the batch's).
    随期 has no dates of its own, 自有日期 has both, 晚到 only an arrival, 无期
    no term, 无日期 is in a batch without dates."""
    batch = make_batch(10, start=MARCH_2020)
    term = make_term(batch, "首期", end=TERM_END)
    make_assignment(name="随期", batch=batch, term=term)
    make_assignment(
        name="自有日期",
        batch=batch,
        term=term,
        arrived_on=date(2021, 1, 10),
        left_on=date(2021, 12, 31),
    )
    make_assignment(name="晚到", batch=batch, term=term, arrived_on=date(2021, 5, 1))
    make_assignment(name="无期", batch=batch)
    make_assignment(name="无日期", batch=make_batch(9))


def statuses(day):
    rows = Assignment.objects.with_post_status(day)
    return dict(rows.values_list("person__name", "post_status"))


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        (date(2020, 2, 29), [NOT_YET, NOT_YET, NOT_YET, NOT_YET, UNKNOWN]),
        # Inside the month the batch came: did they arrive yet? Unknown.
        (date(2020, 3, 15), [UNKNOWN, NOT_YET, NOT_YET, UNKNOWN, UNKNOWN]),
        (date(2020, 3, 31), [IN_POST, NOT_YET, NOT_YET, UNKNOWN, UNKNOWN]),
        (date(2021, 1, 10), [IN_POST, IN_POST, NOT_YET, UNKNOWN, UNKNOWN]),
        (date(2021, 6, 28), [IN_POST, IN_POST, IN_POST, UNKNOWN, UNKNOWN]),
        # The term came home; 自有日期 stayed on to the end of the year.
        (date(2021, 6, 29), [LEFT, IN_POST, LEFT, UNKNOWN, UNKNOWN]),
        (date(2022, 1, 1), [LEFT, LEFT, LEFT, UNKNOWN, UNKNOWN]),
    ],
)
def test_an_assignment_takes_its_term_s_or_batch_s_dates(batch_ten, day, expected):
    names = ["随期", "自有日期", "晚到", "无期", "无日期"]
    assert [statuses(day)[name] for name in names] == expected
    in_post = {
        name for name, status in zip(names, expected, strict=True) if status == IN_POST
    }
    on = Assignment.objects.in_post_on(day)
    assert set(on.values_list("person__name", flat=True)) == in_post


def test_a_term_without_dates_takes_the_batch_s():
    batch = make_batch(11, start=MARCH_2020, end=TERM_END)
    make_assignment(name="甲", batch=batch, term="二期")
    assert statuses(date(2021, 1, 1)) == {"甲": IN_POST}
    assert statuses(date(2021, 7, 1)) == {"甲": LEFT}


def test_an_own_arrival_without_any_end_is_still_in_post():
    """Staff leave 离岗日期 blank while someone serves; a batch's start alone
    says nothing of that."""
    batch = make_batch(11, start=MARCH_2020)
    make_assignment(name="仍在岗", batch=batch, arrived_on=date(2020, 3, 20))
    make_assignment(name="只知批次", batch=batch)
    assert statuses(date(2025, 1, 1)) == {"仍在岗": IN_POST, "只知批次": UNKNOWN}


def test_the_period_shown_is_the_one_counted(batch_ten):
    periods = {
        a.person.name: a.period
        for a in Assignment.objects.select_related("person", "batch", "term")
    }
    assert periods == {
        "随期": "2020年3月 至 2021年6月28日",
        "自有日期": "2021年1月10日 至 2021年12月31日",
        "晚到": "2021年5月1日 至 2021年6月28日",
        "无期": "2020年3月 至 —",
        "无日期": "— 至 —",
    }
    open_ended = make_assignment(arrived_on=date(2021, 7, 1))
    assert open_ended.period == "2021年7月1日 至 今"


def test_a_term_must_belong_to_the_assignment_s_batch():
    other = make_term(make_batch(9), "首期")
    assignment = make_assignment(batch=make_batch(10))
    assignment.term = other
    with pytest.raises(ValidationError) as error:
        assignment.full_clean()
    assert "第九批首期" in str(error.value.message_dict["term"])


def test_a_term_name_is_unique_in_its_batch_only():
    make_term(make_batch(10), "首期")
    make_term(make_batch(9), "首期")
    with pytest.raises(IntegrityError), transaction.atomic():
        Term.objects.create(batch=make_batch(10), name="首期")


def test_facets_count_where_the_rows_stood_and_add_up(batch_ten):
    facets = Assignment.objects.all().facets(day=date(2021, 1, 10))
    in_post = facets["in_post"]
    assert (in_post.in_post, in_post.left, in_post.not_yet, in_post.unknown) == (
        2,
        0,
        1,
        2,
    )
    assert in_post.total == Assignment.objects.count() == 5
    # Only 无日期 has no date at all.
    assert in_post.dated == 4


def test_the_in_post_facet_may_count_other_rows_than_the_rest():
    make_assignment(name="在岗", arrived_on=date(2021, 1, 1))
    make_assignment(
        name="已离岗", arrived_on=date(2020, 1, 1), left_on=date(2020, 6, 1)
    )
    day = date(2021, 7, 1)
    shown = Assignment.objects.in_post_on(day)
    facets = shown.facets(day=day, post_rows=Assignment.objects.all())
    assert sum(row["count"] for row in facets["batch"]) == 1
    assert (facets["in_post"].in_post, facets["in_post"].left) == (1, 1)


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
    # Rows without any date are 日期不详, never in post.
    in_post = facets["in_post"]
    assert (in_post.in_post, in_post.unknown, in_post.total) == (0, 4, 4)
    assert in_post.dated == 0


def test_people_published_excludes_hidden_people():
    shown = make_assignment().person
    make_assignment(is_public=False)
    assert list(Person.objects.published()) == [shown]
    assert list(Assignment.objects.published().values_list("person", flat=True)) == [
        shown.pk
    ]


@pytest.mark.parametrize(
    ("count", "searching", "sorts_matches"),
    # Past the cap only a common term walks (PostgreSQL's statistics say
    # which: tests/personnel/test_plans.py); no term is common here.
    [(10, True, True), (11, True, True), (10, False, False)],
    ids=["few-matches", "many-matches", "no-search"],
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


def test_a_renamed_person_moves_in_the_roster_name_order():
    assignment = make_assignment(name="安然")
    person = assignment.person
    person.name = "周正"
    person.save()
    assignment.refresh_from_db()
    assert assignment.name_order == person.pinyin == "zhouzheng"


def test_a_renumbered_batch_moves_in_the_roster_batch_order():
    assignment = make_assignment(batch=make_batch(9))
    batch = assignment.batch
    batch.number = 12
    batch.save()
    assignment.refresh_from_db()
    assert assignment.batch_order == -12


@pytest.mark.parametrize("asked", [None, date(2021, 7, 1)], ids=["today", "a-day"])
def test_facets_of_a_sample_holding_every_row_are_the_exact_ones(asked):
    """Sampled facets are counted in Python from fetched rows: over a sample
    as large as the rows, they are what the grouped query counts."""
    school = make_unit("阿克苏市实验中学", short_name="实验中学", aliases="阿实中")
    for number, (arrived, left) in enumerate(
        [
            (date(2021, 1, 1), None),
            (date(2021, 1, 1), date(2021, 12, 1)),
            (None, None),
            (date(2022, 1, 1), None),
        ]
    ):
        make_assignment(
            name=f"样本{number}",
            batch=make_batch(9 + number % 2),
            receiving_unit=school if number % 2 else make_unit(f"受援{number}"),
            arrived_on=arrived,
            left_on=left,
        )
    rows = Assignment.objects.all()
    post_rows = None
    if asked:
        rows, post_rows = rows.in_post_on(asked), rows
    exact = rows.facets(day=asked, post_rows=post_rows)
    sampled = rows.facets(day=asked, post_rows=post_rows, sample=100)
    assert sampled == exact
    (school_row,) = [
        row for row in exact["receiving_unit"] if row["label"] == "阿克苏市实验中学"
    ]
    assert school_row["count"] == (2 if asked is None else 1)
    assert school_row["hint"] == "实验中学、阿实中"
    assert exact["in_post"].total == 4
