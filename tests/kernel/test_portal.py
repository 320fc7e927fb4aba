from decimal import Decimal

import pytest
from django.template import Context, Template

from aidportal.kernel.templatetags.portal import people_count, square_metres, wan_yuan


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
