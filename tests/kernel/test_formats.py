"""Dates staff type, in every way a Chinese office writes them."""

from datetime import date

import pytest
from django import forms
from django.utils import translation

from aidportal.kernel.chinese import parse_date

TYPED = ["2021年7月1日", "2021-07-01", "2021/7/1", "2021.7.1"]


@pytest.mark.parametrize("typed", TYPED)
def test_the_admin_reads_every_way_of_writing_a_date(typed):
    """Django's zh_Hans formats hold an invalid one (%Y年%n月%j日): ours."""
    with translation.override("zh-hans"):
        assert forms.DateField().clean(typed) == date(2021, 7, 1)


@pytest.mark.parametrize("typed", [*TYPED, "２０２１年７月１日"])
def test_the_importer_reads_them_too_full_width_digits_included(typed):
    assert parse_date(typed) == date(2021, 7, 1)
