from datetime import date

import pytest

from projects.filters import ProjectFilter
from projects.models import Project
from tests.builders import make_project

pytestmark = pytest.mark.django_db


def test_the_year_is_the_start_year_or_else_the_completion_year():
    begun = make_project(start_date=date(2021, 3, 1), completion_date=date(2022, 1, 1))
    finished = make_project(completion_date=date(2021, 12, 1))
    make_project(start_date=date(2020, 3, 1))
    found = ProjectFilter({"year": "2021"}, queryset=Project.objects.all())
    assert set(found.qs) == {begun, finished}


@pytest.mark.parametrize("year", ["1989", "2101", "abc"])
def test_a_year_out_of_range_is_a_form_error(year):
    found = ProjectFilter({"year": year}, queryset=Project.objects.all())
    assert not found.is_valid()
    assert "year" in found.form.errors
