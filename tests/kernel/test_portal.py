from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.http import QueryDict
from django.template import Context, Template
from django.test import RequestFactory
from hypothesis import example, given
from hypothesis import strategies as st

from aidportal.kernel.templatetags.portal import (
    _linked,
    people_count,
    square_metres,
    wan_yuan,
)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (2791, "2791万元"),
        (Decimal("2791.50"), "2791.5万元"),
        (Decimal("2791.00"), "2791万元"),
        (Decimal("0.05"), "0.05万元"),
        (0, "0万元"),
        (9999, "9999万元"),
        (10000, "1亿元"),
        (353000, "35.3亿元"),
        (Decimal("353000.00"), "35.3亿元"),
        (355791, "35.58亿元"),
        ("2791", "2791万元"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_wan_yuan_reads_as_people_write_amounts(value, shown):
    assert wan_yuan(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (6794, "6794平方米"),
        (Decimal("6794.50"), "6794.5平方米"),
        (9999, "9999平方米"),
        (10000, "1万平方米"),
        (125000, "12.5万平方米"),
        (Decimal("131794"), "13.18万平方米"),
        (None, "—"),
        ("", "—"),
    ],
)
def test_square_metres_switch_to_wan_from_ten_thousand(value, shown):
    assert square_metres(value) == shown


@pytest.mark.parametrize(
    ("value", "shown"), [(3135, "3135人"), (0, "0人"), (None, "—")]
)
def test_people_count_adds_the_unit(value, shown):
    assert people_count(value) == shown


def test_filters_work_in_templates():
    template = Template(
        "{% load portal %}{{ a|wan_yuan }} {{ b|square_metres }} {{ c|people_count }}"
    )
    rendered = template.render(Context({"a": 353000, "b": 6794, "c": None}))
    assert rendered == "35.3亿元 6794平方米 —"


def render(source, **context):
    return Template("{% load portal %}" + source).render(Context(context))


def test_unbroken_keeps_a_figure_and_its_unit_together():
    assert render("{{ v|wan_yuan|unbroken }}", v=353000) == (
        '<span class="unbroken">35.3亿元</span>'
    )
    assert render("{{ v|unbroken }}", v="<b>") == (
        '<span class="unbroken">&lt;b&gt;</span>'
    )


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        (
            "总投资35.3亿元，建筑面积6794平方米。",
            '总投资<span class="unbroken">35.3亿元</span>，建筑面积'
            '<span class="unbroken">6794平方米</span>。',
        ),
        (
            "新招员工1029人，110余个班级",
            '新招员工<span class="unbroken">1029人</span>，'
            '<span class="unbroken">110余个</span>班级',
        ),
        (
            "2020年5月17日",
            '<span class="unbroken">2020年</span>'
            '<span class="unbroken">5月</span><span class="unbroken">17日</span>',
        ),
        ("第十批援疆", "第十批援疆"),
        (
            "<script>1人</script>",
            '&lt;script&gt;<span class="unbroken">1人</span>&lt;/script&gt;',
        ),
        (None, ""),
    ],
)
def test_unbroken_figures_wraps_each_figure_of_a_text(text, shown):
    assert render("{{ text|unbroken_figures }}", text=text) == shown


def test_only_the_first_card_with_a_cover_loads_at_once():
    class Card:
        def __init__(self, cover):
            self.cover = cover

    cards = [Card(""), Card("a.jpg"), Card("b.jpg")]
    rendered = render(
        "{% with lead=cards|first_with_cover %}"
        "{% for card in cards %}{{ card|cover_loading:lead }} {% endfor %}"
        "{% endwith %}",
        cards=cards,
    )
    assert rendered == "lazy eager lazy "
    assert render("{{ card|cover_loading:None }}", card=cards[1]) == "lazy"


def query_dict_with(query_string, changes):
    """What query_with gave when it edited a copy of the QueryDict."""
    query = QueryDict(query_string, mutable=True)
    for name in ("page", "after", "before"):
        query.pop(name, None)
    for key, value in changes.items():
        if value is None or value == "":
            query.pop(key, None)
        else:
            query[key] = value
    return "?" + query.urlencode()


PARAMETERS = st.sampled_from(["q", "batch", "page", "after", "sort", "季", "a b&c"])
VALUES = st.one_of(st.text(max_size=6), st.integers(-5, 10**6), st.dates(), st.none())


@given(
    pairs=st.lists(st.tuples(PARAMETERS, st.text(max_size=6)), max_size=6),
    changes=st.dictionaries(PARAMETERS, VALUES, max_size=3),
)
@example(pairs=[("q", "季 成"), ("q", "王"), ("page", "2")], changes={"q": "张"})
@example(pairs=[("sort", "name")], changes={"batch": 10, "sort": ""})
def test_links_keep_the_query_string_as_query_dict_would(pairs, changes):
    """Facet and pager links are built from the request's pairs encoded once
    (hundreds per page): the same links as editing a copy of the QueryDict,
    for repeated, removed, new and non-ASCII parameters."""
    query_string = urlencode(pairs)
    request = RequestFactory().get("/personnel/?" + query_string)
    assert _linked(request, changes) == query_dict_with(query_string, changes)
