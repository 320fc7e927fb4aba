import base64
import html
import re
from datetime import date, timedelta
from urllib.parse import parse_qs

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags

from aidportal.kernel.pagination import cursor
from personnel.filters import SORT_ORDERS
from personnel.models import Category, Person, Unit
from personnel.views import RosterView
from tests.builders import (
    facet,
    make_article,
    make_assignment,
    make_batch,
    make_person,
    make_term,
    make_unit,
)

pytestmark = pytest.mark.django_db


def roster(client, **params):
    return client.get(reverse("personnel:list"), params)


def names(response):
    """The names on the page, in page order."""
    return [a.person.name for a in response.context["object_list"]]


# Search


@pytest.fixture
def ji_cheng():
    """季成, printed with a padding space ("季 成"), among people he must stand
    out from."""
    sending = make_unit("浙江大学医学院附属第一医院", aliases="浙大一院、浙一")
    receiving = make_unit("阿克苏地区第一人民医院", short_name="地区一院")
    make_assignment(name="王芳", position="语文教师")
    return make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        sending_unit=sending,
        receiving_unit=receiving,
        position="心内科主任医师",
    )


@pytest.mark.parametrize(
    "query",
    [
        "季成",
        "季 成",
        "季\u00a0成",
        "季\u3000成",
        "jicheng",
        "JiCheng",
        "jc",
        "浙大一院",  # an alias of the sending unit
        "地区一院",  # the short name of the receiving unit
        "心内科",  # a word of the position
    ],
)
def test_search_finds_a_padded_name_by_every_spelling(client, ji_cheng, query):
    response = roster(client, q=query)
    assert response.status_code == 200
    assert names(response) == ["季成"]


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("zengxiaoming", "曾晓明"),
        ("cengxiaoming", "曾晓明"),
        ("shantianfang", "单田芳"),
        ("dantianfang", "单田芳"),
        ("xiefang", "解放"),
        ("jiefang", "解放"),
    ],
)
def test_search_knows_every_reading_of_a_surname(client, query, name):
    for person in ("曾晓明", "单田芳", "解放"):
        make_assignment(name=person)
    assert names(roster(client, q=query)) == [name]


@pytest.mark.parametrize("query", ["%", "_", "季%成"])
def test_search_treats_sql_wildcards_as_plain_characters(client, ji_cheng, query):
    assert names(roster(client, q=query)) == []


def test_search_without_a_match_says_so(client, ji_cheng):
    response = roster(client, q="不存在的人")
    assert names(response) == []
    assert "没有符合条件的人员" in response.content.decode()


# People who are not public


@pytest.fixture
def hidden():
    """A person hidden from the public, alone in his batch, category and units."""
    return make_assignment(
        name="隐藏人",
        is_public=False,
        category=Category.CADRE,
        batch=make_batch(11),
        sending_unit=make_unit("隐藏派出单位"),
        receiving_unit=make_unit("隐藏受援单位"),
        arrived_on=date(2021, 1, 1),
    )


def test_non_public_person_is_not_in_the_roster_or_its_facets(client, hidden):
    make_assignment(name="公开人", arrived_on=date(2021, 1, 1))
    response = roster(client)
    assert names(response) == ["公开人"]
    assert "隐藏" not in response.content.decode()
    assert 11 not in facet(response, "batch")
    assert Category.CADRE not in facet(response, "category")
    assert hidden.sending_unit_id not in facet(response, "sending_unit")
    assert hidden.receiving_unit_id not in facet(response, "receiving_unit")
    assert response.context["facets"]["in_post"].in_post == 1


@pytest.mark.parametrize("query", ["隐藏人", "yincangren", "隐藏受援单位"])
def test_non_public_person_is_not_found_by_search(client, hidden, query):
    assert names(roster(client, q=query)) == []


def test_non_public_person_page_is_404(client, hidden):
    assert client.get(hidden.person.get_absolute_url()).status_code == 404


@pytest.mark.parametrize("pk", ["0", "999999", "1" * 30])
def test_unknown_or_oversized_person_id_is_404(client, pk):
    make_assignment()
    assert client.get(f"/personnel/{pk}/").status_code == 404


# Person page


def test_person_page_lists_every_assignment(client):
    first = make_assignment(
        name="季 成",
        batch=make_batch(9),
        receiving_unit=make_unit("拜城县人民医院"),
        position="副院长",
        arrived_on=date(2018, 7, 1),
        left_on=date(2020, 1, 15),
    )
    make_assignment(
        first.person,
        receiving_unit=make_unit("温宿县人民医院"),
        position="心内科主任",
        arrived_on=date(2021, 7, 1),
    )
    response = client.get(first.person.get_absolute_url())
    page = response.content.decode()
    assert response.status_code == 200
    for fragment in (
        "季成",
        "第九批",
        "拜城县人民医院",
        "副院长",
        "2018年7月1日 至 2020年1月15日",
        "第十批",
        "温宿县人民医院",
        "2021年7月1日 至 今",
    ):
        assert fragment in page
    # Newest batch first.
    assert page.index("温宿县人民医院") < page.index("拜城县人民医院")


# Facets and filters


@pytest.fixture
def scene():
    """Three assignments across two batches, two categories and two units each
    way; one of them is in post today."""
    s1, s2 = make_unit("萧山区第一人民医院"), make_unit("杭州第二中学")
    r1, r2 = make_unit("拜城县人民医院"), make_unit("温宿县第一中学")
    today = timezone.localdate()
    rows = {
        "甲": make_assignment(
            name="甲医生",
            category=Category.MEDICAL,
            batch=make_batch(10),
            sending_unit=s1,
            receiving_unit=r1,
            arrived_on=today - timedelta(days=100),
        ),
        "乙": make_assignment(
            name="乙老师",
            category=Category.EDUCATION,
            batch=make_batch(10),
            sending_unit=s1,
            receiving_unit=r2,
            arrived_on=today - timedelta(days=100),
            left_on=today - timedelta(days=1),
        ),
        "丙": make_assignment(
            name="丙医生",
            category=Category.MEDICAL,
            batch=make_batch(9),
            sending_unit=s2,
            receiving_unit=r1,
            arrived_on=date(2017, 1, 1),
            left_on=date(2019, 12, 31),
        ),
    }
    return rows


def test_facets_count_what_is_on_the_roster(client, scene):
    response = roster(client)
    a = scene["甲"]
    assert facet(response, "batch") == {10: 2, 9: 1}
    assert facet(response, "category") == {Category.MEDICAL: 2, Category.EDUCATION: 1}
    assert facet(response, "receiving_unit") == {
        a.receiving_unit_id: 2,
        scene["乙"].receiving_unit_id: 1,
    }
    assert facet(response, "sending_unit") == {
        a.sending_unit_id: 2,
        scene["丙"].sending_unit_id: 1,
    }
    assert response.context["facets"]["in_post"].in_post == 1


def test_facets_narrow_with_the_filter(client, scene):
    response = roster(client, batch=10)
    assert facet(response, "batch") == {10: 2}
    assert facet(response, "category") == {Category.MEDICAL: 1, Category.EDUCATION: 1}
    assert facet(response, "receiving_unit") == {
        scene["甲"].receiving_unit_id: 1,
        scene["乙"].receiving_unit_id: 1,
    }
    assert facet(response, "sending_unit") == {scene["甲"].sending_unit_id: 2}
    assert response.context["facets"]["in_post"].in_post == 1


def test_facet_labels_are_readable(client, scene):
    facets = roster(client).context["facets"]
    assert [row["label"] for row in facets["batch"]] == ["第十批", "第九批"]
    assert [row["label"] for row in facets["category"]] == ["医疗", "教育"]
    assert facets["receiving_unit"][0]["label"] == "拜城县人民医院"


@pytest.fixture
def many_senders():
    """23 people from 23 sending units; the last unit sends a second one."""
    rows = [
        make_assignment(sending_unit=make_unit(f"派出单位{number:02d}"))
        for number in range(23)
    ]
    rows.append(make_assignment(sending_unit=rows[-1].sending_unit))
    return rows


def facet_section(response, title):
    """The HTML of the facet headed ``title``."""
    content = response.content.decode()
    start = content.index(f"<h2>{title}</h2>")
    return content[start : content.index("</section>", start)]


def test_every_sending_unit_is_listed_the_first_ten_in_view(client, many_senders):
    response = roster(client)
    units = response.context["facets"]["sending_unit"]
    twice = many_senders[-1].sending_unit_id
    every = {row.sending_unit_id: 1 for row in many_senders} | {twice: 2}
    assert facet(response, "sending_unit") == every
    assert units.shown[0]["value"] == twice
    assert (len(units.shown), len(units.more), units.left_out) == (10, 13, 0)

    section = facet_section(response, "派出单位")
    in_view, more = section.split('<details class="facet-more">')
    assert "更多（还有 13 项）" in more
    for rows, part in ((units.shown, in_view), (units.more, more)):
        for row in rows:
            assert f'href="?sending_unit={row["value"]}"' in part, row["label"]
            assert f'{row["label"]}</a> <span class="count">{row["count"]}<' in part


def test_a_short_facet_has_no_more(client, scene):
    assert "更多" not in facet_section(roster(client), "派出单位")


def test_a_unit_facet_past_its_cap_says_how_many_are_left_out(
    client, settings, many_senders
):
    settings.ROSTER_FACET_UNITS = 15
    response = roster(client)
    units = response.context["facets"]["sending_unit"]
    assert (len(units), units.left_out) == (15, 8)
    section = facet_section(response, "派出单位")
    assert "更多（还有 5 项）" in section
    assert "另有 8 项未列出，可在检索框中输入名称查找。" in section


def test_results_and_downloads_come_before_the_filters(client, scene):
    """On a phone the filters follow the results, and the keyboard reaches the
    downloads right after the search form; a button jumps to the filters."""
    content = roster(client).content.decode()
    assert (
        content.index('class="roster-search"')
        < content.index('class="downloads"')
        < content.index('href="#filters"')
        < content.index('class="roster-table"')
        < content.index('id="filters"')
    )
    assert 'id="results"' in content and 'href="#results"' in content


HALF_WIDTH_BESIDE_CHINESE = re.compile(r"[\u3400-\u9fff][,:;()]|[,:;()][\u3400-\u9fff]")


@pytest.mark.parametrize("params", [{}, {"q": "无此人"}, "every filter"])
def test_the_roster_writes_chinese_punctuation_full_width(client, scene, params):
    if params == "every filter":
        a = scene["甲"]
        params = {
            "q": "甲",
            "batch": 10,
            "category": Category.MEDICAL,
            "sending_unit": a.sending_unit_id,
            "receiving_unit": a.receiving_unit_id,
            "on": timezone.localdate().isoformat(),
        }
    response = roster(client, **params)
    text = html.unescape(strip_tags(response.content.decode()))
    assert not HALF_WIDTH_BESIDE_CHINESE.findall(text)


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda s: {"batch": "10"}, {"甲医生", "乙老师"}),
        (lambda s: {"batch": "9"}, {"丙医生"}),
        (lambda s: {"category": "medical"}, {"甲医生", "丙医生"}),
        (lambda s: {"category": "education"}, {"乙老师"}),
        (lambda s: {"sending_unit": s["甲"].sending_unit_id}, {"甲医生", "乙老师"}),
        (lambda s: {"receiving_unit": s["甲"].receiving_unit_id}, {"甲医生", "丙医生"}),
        (lambda s: {"batch": "10", "category": "medical"}, {"甲医生"}),
        (lambda s: {"q": "医生", "batch": "9"}, {"丙医生"}),
    ],
    ids=[
        "batch-10",
        "batch-9",
        "medical",
        "education",
        "sending-unit",
        "receiving-unit",
        "batch-and-category",
        "query-and-batch",
    ],
)
def test_filters_narrow_the_roster(client, scene, params, expected):
    response = roster(client, **params(scene))
    assert response.status_code == 200
    assert set(names(response)) == expected


@pytest.mark.parametrize("day", ["2021-07-01", "2021/7/1", "2021.7.1", "2021年7月1日"])
def test_on_filter_keeps_people_in_post_that_day(client, day):
    cases = {
        "已到岗": (date(2021, 6, 1), None),
        "当天到岗": (date(2021, 7, 1), None),
        "当天离岗": (date(2021, 1, 1), date(2021, 7, 1)),
        "前一天离岗": (date(2021, 1, 1), date(2021, 6, 30)),
        "次日到岗": (date(2021, 7, 2), None),
    }
    for name, (arrived_on, left_on) in cases.items():
        make_assignment(name=name, arrived_on=arrived_on, left_on=left_on)
    response = roster(client, on=day)
    assert response.status_code == 200
    assert set(names(response)) == {"已到岗", "当天到岗", "当天离岗"}


def in_post_section(response):
    """The text of the 在岗 facet, spaces collapsed ("" when not shown)."""
    page = response.content.decode()
    found = re.search(
        r'<section class="facet facet-in-post">(.*?)</section>', page, re.S
    )
    if not found:
        return ""
    return " ".join(re.sub(r"<[^>]+>", " ", found.group(1)).split())


def test_the_in_post_facet_says_the_day_and_every_count(client, scene):
    make_assignment(name="无日期", batch=make_batch(9))
    today = timezone.localdate()
    text = in_post_section(roster(client))
    assert text == (
        f"{today.year}年{today.month}月{today.day}日（今天）在岗情况 "
        "在岗 1 已离岗 2 日期不详 1 共 4 条任职记录；到岗、离岗日期不详的，不计为在岗。"
    )


def test_the_in_post_facet_of_a_day_counts_the_rows_of_every_other_filter(
    client, scene
):
    """On the day asked, the list holds who was in post; the facet still says
    where the others stood."""
    response = roster(client, on="2018-01-01", batch="9")
    assert names(response) == ["丙医生"]
    assert in_post_section(response).startswith(
        "2018年1月1日在岗情况 在岗 1 已离岗 0 日期不详 0 共 1 条"
    )
    response = roster(client, on="2016-06-01")
    assert names(response) == []
    assert in_post_section(response).startswith(
        "2016年6月1日在岗情况 在岗 0 已离岗 0 尚未到岗 3 日期不详 0 共 3 条"
    )
    assert 'aria-current="true">在岗</a>' in response.content.decode()


def test_the_in_post_facet_and_date_box_are_gone_when_no_row_has_dates(client):
    make_assignment(name="无日期")
    page = roster(client)
    assert in_post_section(page) == ""
    assert 'name="on"' not in page.content.decode()
    assert page.context["facets"]["in_post"].unknown == 1
    # A day asked for keeps its box, to change it.
    assert 'name="on"' in roster(client, on="2021-01-01").content.decode()


def test_a_term_s_dates_count_on_the_roster(client):
    term = make_term(make_batch(10), "首期", end=(date(2021, 6, 28),) * 2)
    term.batch.start = (date(2020, 3, 1), date(2020, 3, 31))
    term.batch.save()
    make_assignment(name="季成", batch=term.batch, term=term)
    assert names(roster(client, on="2021-01-01")) == ["季成"]
    assert names(roster(client, on="2021-06-29")) == []
    assert names(roster(client, on="2020-03-15")) == []


@pytest.fixture
def three_counties():
    """Orders that differ: by unit in the order the units came onto the
    roster (拜城, 温宿, 柯坪), by name anran < mali < zhouzheng, by batch
    11 > 10 > 9."""
    make_assignment(
        name="周正", batch=make_batch(10), receiving_unit=make_unit("拜城县人民医院")
    )
    make_assignment(
        name="安然", batch=make_batch(9), receiving_unit=make_unit("温宿县人民医院")
    )
    make_assignment(
        name="马力", batch=make_batch(11), receiving_unit=make_unit("柯坪县人民医院")
    )


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({}, ["周正", "安然", "马力"]),
        ({"sort": "unit"}, ["周正", "安然", "马力"]),
        ({"sort": "name"}, ["安然", "马力", "周正"]),
        ({"sort": "batch"}, ["马力", "周正", "安然"]),
    ],
    ids=["default", "unit", "name", "batch"],
)
def test_sort_orders_the_roster(client, three_counties, sort, expected):
    assert names(roster(client, **sort)) == expected


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        ({}, ["周正", "安然", "马力"]),
        ({"sort": "name"}, ["安然", "马力", "周正"]),
        ({"sort": "batch"}, ["马力", "周正", "安然"]),
    ],
    ids=["default", "name", "batch"],
)
def test_a_search_and_its_exports_keep_the_sort_order(
    client, three_counties, sort, expected
):
    # A search sorts its matches itself (sorted_matches): same order.
    assert names(roster(client, q="人民医院", **sort)) == expected
    csv = client.get(
        reverse("personnel:export-csv"), data={"q": "人民医院", **sort}
    ).getvalue()
    text = csv.decode("utf-8-sig")
    assert sorted(expected, key=text.index) == expected


@pytest.mark.parametrize(
    ("params", "shown"),
    [
        ({}, False),
        ({"sort": "name"}, False),
        ({"q": "人民医院"}, True),
        ({"q": "人民医院", "sort": "batch"}, True),
        ({"on": "2024-01-01"}, True),
    ],
    ids=["nothing", "sort", "search", "search-sorted", "in-post"],
)
def test_the_active_conditions_are_listed_but_a_sort_is_none(
    client, three_counties, params, shown
):
    assert ("当前条件" in roster(client, **params).content.decode()) is shown


def test_default_sort_groups_rows_under_their_receiving_unit(client, three_counties):
    page = roster(client).content.decode()
    headers = re.findall(r"对口支援单位：([^<]+)</th>", page)
    assert headers == ["拜城县人民医院", "温宿县人民医院", "柯坪县人民医院"]
    # Each name comes after its own header and before the next one.
    positions = [page.index(f"对口支援单位：{unit}") for unit in headers]
    assert positions[0] < page.index("周正") < positions[1]
    assert positions[1] < page.index("安然") < positions[2]
    assert positions[2] < page.index("马力")


def test_other_sorts_show_the_unit_in_a_column_not_as_groups(client, three_counties):
    page = roster(client, sort="name").content.decode()
    assert "对口支援单位：" not in page
    assert '<td data-label="对口支援单位">拜城县人民医院</td>' in page


def test_pagination_links_keep_the_query_string(client, monkeypatch):
    monkeypatch.setattr(RosterView, "paginate_by", 2)
    for number in range(3):
        make_assignment(name=f"季{number}", batch=make_batch(10))
    make_assignment(name="季外", batch=make_batch(9))

    first = roster(client, q="季", batch="10", sort="name")
    link = re.search(r'<a href="\?([^"]+)" rel="next">', first.content.decode())
    last = list(first.context["object_list"])[-1]
    assert parse_qs(html.unescape(link.group(1))) == {
        "q": ["季"],
        "batch": ["10"],
        "sort": ["name"],
        "page": ["2"],
        "after": [cursor(last, SORT_ORDERS["name"])],
    }
    second = client.get(reverse("personnel:list") + "?" + html.unescape(link.group(1)))
    assert names(second) == ["季2"]
    assert 'rel="prev"' in second.content.decode()


# Bad input: a clear 400 or 404, never a 500.


@pytest.mark.parametrize(
    "params",
    [
        {"q": "季" * 51},
        {"q": "季\x00成"},
        {"batch": "abc"},
        {"batch": str(10**30)},
        {"category": "doctor"},
        {"receiving_unit": "abc"},
        {"receiving_unit": str(10**30)},
        {"on": "notadate"},
        {"on": "2021-02-30"},
        {"sort": "evil"},
    ],
    ids=[
        "q-51-chars",
        "q-nul",
        "batch-abc",
        "batch-30-digits",
        "category-unknown",
        "receiving-unit-abc",
        "receiving-unit-30-digits",
        "on-notadate",
        "on-feb-30",
        "sort-evil",
    ],
)
def test_unreadable_filter_is_a_400_naming_the_parameter(client, params):
    make_assignment(batch=make_batch(10))
    response = roster(client, **params)
    assert response.status_code == 400
    (name,) = params
    assert f"<code>{name}</code>" in response.content.decode()


@pytest.mark.parametrize(
    "param", ["sending_unit", "receiving_unit", "batch"], ids=lambda p: p
)
def test_units_and_batches_off_the_public_roster_are_404_naming_nothing(
    client, hidden, param
):
    """An id of a unit or batch only hidden people have, and an id of none,
    answer the same 404: no name shown, nothing to enumerate."""
    make_assignment(name="公开人", batch=make_batch(10))
    hidden_value = {
        "sending_unit": hidden.sending_unit_id,
        "receiving_unit": hidden.receiving_unit_id,
        "batch": 11,
    }[param]
    hidden_page = roster(client, **{param: str(hidden_value)})
    unknown_page = roster(client, **{param: "987654"})
    assert hidden_page.status_code == unknown_page.status_code == 404
    assert "隐藏" not in hidden_page.content.decode()
    assert hidden_page.content == unknown_page.content
    form = roster(client).context["filter"].form
    assert "11" not in [str(value) for value, _ in form.fields["batch"].choices]


def test_query_of_50_characters_is_accepted(client):
    make_assignment(name="季成")
    assert roster(client, q="季" * 50).status_code == 200


@pytest.mark.parametrize("page", ["abc", "0", "-1", "99999", "1" * 30])
def test_bad_page_is_404(client, page):
    make_assignment()
    assert roster(client, page=page).status_code == 404


# Query counts: the same for 1 and for 50 rows.


def _fill_roster(count):
    units = [make_unit("拜城县人民医院"), make_unit("温宿县第一中学")]
    for number in (9, 10):
        make_term(
            make_batch(number),
            "首期",
            start=(date(2020, 3, 1), date(2020, 3, 31)),
            end=(date(2021, 6, 28), date(2021, 6, 28)),
        )
    for number in range(count):
        make_assignment(
            name=f"援疆{number}",
            batch=make_batch(10 - number % 2),
            term="首期",
            receiving_unit=units[number % 2],
            category=Category.MEDICAL if number % 2 else Category.EDUCATION,
        )


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        # facets (one union of batch, category, receiving unit, sending unit,
        # where the rows stood today), paginator count, navigation channels,
        # the footer's site record, batch choices of the form (cached blocks,
        # cold here), page rows with person, batch, term and units; a filter
        # by batch or by a day in post costs nothing more
        ({}, 6),
        ({"batch": "10"}, 6),
        ({"on": "2021-01-01", "batch": "10"}, 6),
    ],
    ids=["unfiltered", "batch", "in-post-day"],
)
def test_roster_runs_a_fixed_number_of_queries(count_queries, params, expected):
    for rows in (1, 50):
        Person.objects.all().delete()
        _fill_roster(rows)
        response, queries = count_queries(reverse("personnel:list"), data=params)
        assert response.status_code == 200
        assert len(response.context["object_list"]) == (
            rows if not params else (rows + 1) // 2
        )
        assert queries == expected, f"{rows} rows"


def test_person_page_runs_a_fixed_number_of_queries(count_queries):
    person = make_person("季 成")
    # person, assignments with batch and units, related articles, related
    # projects, navigation channels, the footer's site record
    expected = 6
    for count, batch in enumerate(range(6, 11), start=1):
        make_assignment(
            person,
            batch=make_batch(batch),
            receiving_unit=make_unit(f"阿克苏第{batch}中学"),
        )
        make_article().people.add(person)
        response, queries = count_queries(person.get_absolute_url())
        assert response.status_code == 200
        assert len(response.context["person"].assignments.all()) == count
        assert len(response.context["related_articles"]) == count
        assert queries == expected, f"{count} assignments and articles"


def test_the_batch_filter_names_its_batch_and_knows_new_ones(client):
    make_assignment(name="季成", batch=make_batch(10))
    page = roster(client, batch="10").content.decode()
    assert "第十批 ✕" in page
    assert roster(client, batch="11").status_code == 404
    make_assignment(name="周正", batch=make_batch(11))
    response = roster(client, batch="11")
    assert response.status_code == 200
    assert names(response) == ["周正"]
    assert "第十一批 ✕" in response.content.decode()


# Batch words and aliases


@pytest.mark.parametrize("query", ["第十批", "十批", "10批", "第10批", "第 十 批"])
def test_a_batch_word_lists_that_batch(client, query):
    tenth = {make_assignment(name=f"十{n}", batch=make_batch(10)) for n in range(2)}
    make_assignment(name="九批的人", batch=make_batch(9))
    make_assignment(name="二十批的人", batch=make_batch(20))
    response = roster(client, q=query)
    assert response.status_code == 200
    assert set(response.context["object_list"]) == tenth
    assert facet(response, "batch") == {10: 2}


def test_a_batch_word_and_a_name_narrow_together(client):
    ji = make_assignment(name="季 成", batch=make_batch(10))
    make_assignment(ji.person, batch=make_batch(9))
    make_assignment(name="王芳", batch=make_batch(10))
    response = roster(client, q="第九批 季成")
    assert [
        (a.person.name, a.batch.number) for a in response.context["object_list"]
    ] == [("季成", 9)]


def test_the_person_page_shows_the_units_other_names(client):
    assignment = make_assignment(
        name="季 成",
        sending_unit=make_unit(
            "杭州市第一人民医院", short_name="杭州市一医院", aliases="市一医院，杭一医"
        ),
        receiving_unit=make_unit("阿克苏市人民医院"),
    )
    page = client.get(assignment.person.get_absolute_url()).content.decode()
    assert '<h1 class="page-title">季成</h1>' in page
    assert "又称：杭州市一医院、市一医院、杭一医" in page
    assert page.count("又称：") == 1, "a unit without other names shows none"


def test_the_unit_facets_name_the_units_aliases(client):
    make_assignment(
        sending_unit=make_unit("杭州第九中学", short_name="杭九中"),
        receiving_unit=make_unit("阿克苏市实验中学"),
    )
    page = roster(client).content.decode()
    assert 'title="又称：杭九中">杭州第九中学' in page
    assert 'title="又称：">' not in page


def test_a_roster_narrowed_to_a_unit_says_what_else_it_is_called(client):
    sender = make_unit("杭州第九中学", short_name="杭九中", aliases="九中")
    receiver = make_unit("阿克苏市实验中学")
    make_assignment(sending_unit=sender, receiving_unit=receiver)
    page = roster(client, sending_unit=sender.pk).content.decode()
    assert '<p class="unit-note">杭州第九中学又称：杭九中、九中</p>' in page
    unnamed = roster(client, receiving_unit=receiver.pk).content.decode()
    assert "unit-note" not in unnamed, "a unit without other names says nothing"
    assert "unit-note" not in roster(client).content.decode()


@pytest.mark.parametrize("sort", ["unit", "name", "batch"])
def test_a_common_term_lists_the_same_rows_as_a_rare_one_would(
    client, settings, monkeypatch, sort
):
    """Past the count cap a common term walks the order's index (for_page):
    the same rows, in the same order, as sorting every match."""
    for number in range(6):
        make_assignment(
            name=f"季{'甲乙丙丁戊己'[number]}",
            receiving_unit=make_unit(f"阿克苏第{5 - number}医院"),
        )
    make_assignment(name="王五")
    sorted_all = names(roster(client, q="季", sort=sort))
    settings.LIST_COUNT_CAP = 3
    monkeypatch.setattr("personnel.models.has_common_term", lambda rows: True)
    walked = names(roster(client, q="季", sort=sort))
    # A capped count pages what it counted (cap + 1 rows): the same first rows.
    assert len(walked) == 4
    assert walked == sorted_all[:4]


def follow(client, response, rel):
    """The page the pager's link ``rel`` ("next" or "prev") leads to."""
    link = re.search(rf'<a href="\?([^"]*)" rel="{rel}">', response.content.decode())
    return client.get(reverse("personnel:list") + "?" + html.unescape(link[1]))


@pytest.mark.parametrize("sort", ["unit", "name", "batch"])
@pytest.mark.parametrize("common", [True, False], ids=["walked", "sorted"])
def test_next_and_previous_pages_seek_from_the_row_beside_them(
    client, settings, monkeypatch, sort, common
):
    """下一页 carries the last row's place (a cursor) and the page starts
    after it; 上一页 the first row's: the same pages as counting from the
    start, whether the term walks the order (a common one) or is sorted."""
    monkeypatch.setattr("personnel.models.has_common_term", lambda rows: common)
    term = "季"
    for number in range(7):
        make_assignment(
            name=f"季{'甲乙丙丁戊己庚'[number]}",
            batch=make_batch(9 + number % 3),
            receiving_unit=make_unit(f"阿克苏第{6 - number}医院"),
        )
    monkeypatch.setattr(RosterView, "paginate_by", 2)
    settings.LIST_COUNT_CAP = 5
    params = {"q": term, "sort": sort}
    by_number = [names(roster(client, page=page, **params)) for page in (1, 2, 3)]
    first = roster(client, **params)
    second = follow(client, first, "next")
    third = follow(client, second, "next")
    assert "after=" in second.request["QUERY_STRING"]
    assert [names(first), names(second), names(third)] == by_number
    assert third.context["page_obj"].number == 3
    back = follow(client, third, "prev")
    assert "before=" in back.request["QUERY_STRING"]
    assert names(back) == by_number[1]
    assert names(follow(client, back, "prev")) == by_number[0]


def test_the_whole_rosters_pages_are_plain_page_numbers(client, monkeypatch):
    """Without a search a page is an index range (no row tested): its links
    carry no cursor, so the page cache keeps every page."""
    for number in range(3):
        make_assignment(name=f"季{'甲乙丙'[number]}")
    monkeypatch.setattr(RosterView, "paginate_by", 1)
    second = follow(client, roster(client), "next")
    assert second.request["QUERY_STRING"] == "page=2"
    assert names(second) == names(roster(client, page=2))


def test_links_away_from_a_page_forget_where_it_started(client, monkeypatch):
    for number in range(3):
        make_assignment(name=f"季{'甲乙丙'[number]}")
    monkeypatch.setattr(RosterView, "paginate_by", 1)
    second = follow(client, roster(client, q="季"), "next")
    page = second.content.decode()
    facet_links = re.findall(r'href="\?([^"]*batch=[^"]*)"', page)
    assert facet_links
    assert not any("after=" in link or "page=" in link for link in facet_links)


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage!",
        "W10",  # []
        "WzEsMiwzXQ",  # [1,2,3] for an order of two columns
        "WyJhIiwxXQ",  # ["a",1]: a text where a number goes
        "WzEsdHJ1ZV0",  # [1,true]
        "WzEsMS41XQ",  # [1,1.5]
        "WzEsOTk5OTk5OTk5OTk5OTk5OTk5OTk5XQ",  # past any id
        "eyJhIjoxfQ",  # {"a":1}
        "WzEwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMCwxXQ",  # a unit id past any
        "WyJcdWQ4MDAiLDFd",  # ["\ud800",1]: a lone surrogate
        "x" * 2001,
    ],
)
@pytest.mark.parametrize("direction", ["after", "before"])
def test_a_forged_cursor_is_a_400_naming_it(client, cursor, direction):
    make_assignment(name="季成")
    response = roster(client, q="季", **{direction: cursor})
    assert response.status_code == 400
    page = response.content.decode()
    assert f"<code>{direction}</code>" in page
    assert "翻页位置无法识别" in page


def test_a_cursor_with_a_nul_in_its_text_is_a_400(client):
    make_assignment(name="季成")
    nul = base64.urlsafe_b64encode(b'["a\\u0000",1]').decode().rstrip("=")
    assert roster(client, q="季", sort="name", after=nul).status_code == 400


def test_both_cursors_at_once_are_a_400(client):
    assignment = make_assignment(name="季成")
    place = cursor(assignment, SORT_ORDERS["unit"])
    response = roster(client, q="季", after=place, before=place)
    assert response.status_code == 400
    assert "<code>before</code>：翻页位置无法识别" in response.content.decode()


def test_a_page_after_a_cursor_runs_the_queries_of_the_first(
    count_queries, monkeypatch
):
    monkeypatch.setattr(RosterView, "paginate_by", 2)
    rows = [make_assignment(name=f"季{'甲乙丙丁'[n]}") for n in range(4)]
    place = cursor(rows[1], SORT_ORDERS["unit"])
    url = reverse("personnel:list")
    count_queries(url)  # the navigation and the form's batches, cached
    _, first_queries = count_queries(url, data={"q": "季"})
    after, after_queries = count_queries(url, data={"q": "季", "after": place})
    assert names(after) == ["季丙", "季丁"]
    assert after_queries == first_queries == 3


@pytest.mark.parametrize(
    "params",
    [{}, {"q": "季"}, {"q": "季", "sort": "name"}, {"on": "2021-01-01"}],
    ids=["unsearched", "searched", "searched-by-name", "in-post-day"],
)
def test_a_page_past_the_count_cap_runs_three_queries(count_queries, settings, params):
    """The capped count, the page's rows, and the first rows the facets
    count (fetched once, counted in Python; with a day asked, the 在岗 facet's
    first rows of any day too): however many rows match."""
    settings.LIST_COUNT_CAP = 3
    for number in range(6):
        make_assignment(name=f"季{'甲乙丙丁戊己'[number]}", arrived_on=date(2020, 3, 1))
    url = reverse("personnel:list")
    # The navigation and the form's batches, cached (a short list: its
    # facets are not kept).
    count_queries(url, data={"q": "季甲"})
    response, queries = count_queries(url, data=params)
    assert response.context["facets_sampled"] is True
    assert queries == (4 if "on" in params else 3)


def test_sampled_facets_say_what_they_counted(client, settings):
    """Past the cap the facets count the first rows in post that day, the
    在岗 facet the first rows of any day; each adds up to its sample, and the
    page says the counts are approximate."""
    settings.LIST_COUNT_CAP = 3
    for number in range(8):
        make_assignment(
            name=f"季{'甲乙丙丁戊己庚辛'[number]}",
            arrived_on=date(2020, 3, 1) if number % 4 else date(2022, 3, 1),
        )
    response = roster(client, on="2021-01-01")
    assert response.context["facets_sampled"] is True
    facets = response.context["facets"]
    assert facets["in_post"].total == 3
    assert sum(row["count"] for row in facets["batch"]) == 3
    assert sum(row["count"] for row in facets["category"]) == 3
    page = response.content.decode()
    assert "（在岗统计为不限在岗日期、其余条件相同时的前 3 条），是近似数" in page


def test_a_sampled_selections_facets_are_counted_once_until_content_changes(
    count_queries, settings, monkeypatch
):
    """Paging through a common term's results, or sorting them, counts its
    facets once (the sample is the first rows found, in any order): the next
    page runs the count and its rows only. A change to content counts them
    again."""
    settings.LIST_COUNT_CAP = 3
    monkeypatch.setattr(RosterView, "paginate_by", 2)
    rows = [make_assignment(name=f"季{'甲乙丙丁戊己'[n]}") for n in range(6)]
    url = reverse("personnel:list")
    count_queries(url)  # the navigation and the form's batches, cached
    first, queries = count_queries(url, data={"q": "季"})
    assert queries == 3
    for params in ({"page": 2}, {"sort": "name"}, {"sort": "batch", "page": 2}):
        later, queries = count_queries(url, data={"q": "季", **params})
        assert queries == 2, params
        assert later.context["facets"] == first.context["facets"]
    for row in rows:
        row.batch = make_batch(9)
        row.save()
    count_queries(url)
    again, queries = count_queries(url, data={"q": "季", "page": 2})
    assert queries == 3
    assert [row["value"] for row in again.context["facets"]["batch"]] == [9]


def test_facet_values_are_escaped_links_keeping_the_search(client):
    make_assignment(name="季成", receiving_unit=make_unit('<b>"A&B"</b>医院'))
    page = roster(client, q="季成", sort="name").content.decode()
    unit = Unit.objects.get(name='<b>"A&B"</b>医院')
    assert (
        f'<a href="?q=%E5%AD%A3%E6%88%90&amp;sort=name&amp;receiving_unit={unit.pk}">'
        "&lt;b&gt;&quot;A&amp;B&quot;&lt;/b&gt;医院</a>"
    ) in page
    assert '<b>"A&B"</b>' not in page


def test_both_units_cost_the_queries_of_one(count_queries):
    """The sending and the receiving unit named in the query string are
    fetched in one query, not one each; an unknown one is still a 404."""
    assignment = make_assignment(name="季成")
    url = reverse("personnel:list")
    count_queries(url, data={"q": "季甲"})  # the navigation and batches, cached
    _, one = count_queries(
        url, data={"q": "季", "sending_unit": assignment.sending_unit_id}
    )
    response, both = count_queries(
        url,
        data={
            "q": "季",
            "sending_unit": assignment.sending_unit_id,
            "receiving_unit": assignment.receiving_unit_id,
        },
    )
    assert names(response) == ["季成"]
    assert both == one == 4
    missing = {"sending_unit": assignment.sending_unit_id, "receiving_unit": 10**9}
    assert count_queries(url, data=missing)[0].status_code == 404
