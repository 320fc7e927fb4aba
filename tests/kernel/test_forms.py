"""Query parameters naming a row the public may see: malformed is a 400,
unknown or hidden is the same 404."""

import pytest
from django import forms

from aidportal.kernel.forms import (
    PublicNumberChoiceField,
    PublicRowChoiceField,
    names_nothing_found,
)
from personnel.models import Unit
from tests.builders import make_assignment, make_unit

pytestmark = pytest.mark.django_db


class UnitForm(forms.Form):
    unit = PublicRowChoiceField(queryset=Unit.objects.published(), required=False)
    batch = PublicNumberChoiceField(choices=[("10", "第十批")], required=False)


def codes(data):
    form = UnitForm(data)
    form.is_valid()
    return {
        name: [e.code for e in errors] for name, errors in form.errors.as_data().items()
    }


def test_a_public_unit_and_batch_are_found():
    unit = make_assignment().receiving_unit
    form = UnitForm({"unit": str(unit.pk), "batch": "10"})
    assert form.is_valid()
    assert form.cleaned_data["unit"] == unit


@pytest.mark.parametrize("value", ["abc", "1.5", "-1", "1" * 19, "１２"])
def test_what_is_no_id_is_invalid(value):
    assert codes({"unit": value, "batch": value}) == {
        "unit": ["invalid"],
        "batch": ["invalid"],
    }


def test_a_hidden_unit_and_no_unit_are_alike_not_found():
    hidden = make_unit("隐藏单位")
    form = UnitForm({"unit": str(hidden.pk)})
    assert not form.is_valid()
    assert names_nothing_found(form)
    assert codes({"unit": str(hidden.pk)}) == codes({"unit": "987654"})
    assert codes({"batch": "11"}) == {"batch": ["not_found"]}
