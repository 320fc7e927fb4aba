"""The roster's filters: what they accept, and one key per selection."""

from urllib.parse import urlencode

import pytest
from django.http import QueryDict

from personnel.filters import RosterFilter, batch_choices
from personnel.models import Assignment
from tests.builders import make_assignment, make_batch, make_unit

pytestmark = pytest.mark.django_db


def roster_filter(query):
    found = RosterFilter(QueryDict(query), queryset=Assignment.objects.all())
    assert found.is_valid(), found.form.errors
    return found


def test_every_spelling_of_a_selection_has_one_canonical_key():
    unit = make_assignment(batch=make_batch(10)).receiving_unit
    spellings = [
        f"q=季 成&batch=10&receiving_unit={unit.pk}",
        f"receiving_unit={unit.pk}&batch=10&q=季成&sort=unit",
        f"batch=10&q=季\u3000成&receiving_unit={unit.pk}&on=",
    ]
    keys = {roster_filter(query).canonical for query in spellings}
    assert keys == {urlencode({"batch": 10, "q": "季成", "receiving_unit": unit.pk})}
    assert roster_filter("").canonical == "", "the whole roster"


def test_the_batch_choices_are_the_batches_of_public_people():
    make_assignment(batch=make_batch(10))
    make_assignment(batch=make_batch(11), is_public=False)
    make_batch(12)
    assert [number for number, _label in batch_choices()] == [10]


def test_the_units_offered_are_those_of_public_people():
    public = make_assignment(
        receiving_unit=make_unit("阿克苏市第一中学")
    ).receiving_unit
    hidden = make_assignment(
        receiving_unit=make_unit("隐藏单位"), is_public=False
    ).receiving_unit
    field = RosterFilter(queryset=Assignment.objects.all()).form.fields[
        "receiving_unit"
    ]
    assert public in field.queryset
    assert hidden not in field.queryset
