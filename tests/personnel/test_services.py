"""Roster services: the import's writer, refreshing assignments' search texts,
marking people returned, exports."""

from datetime import date

import pytest

from personnel.models import Assignment
from personnel.services import assignments_mark_returned, assignments_refresh_search
from tests.builders import make_assignment, make_unit

pytestmark = pytest.mark.django_db


def test_assignments_follow_person_and_unit_edits_once_refreshed():
    assignment = make_assignment(
        name="季 成",
        sending_unit=make_unit("杭州市第一人民医院"),
        position="副院长",
    )
    unit = assignment.sending_unit
    unit.aliases = "浙大一院、浙一"
    unit.save()
    person = assignment.person
    person.name = "季诚"
    person.save()
    assert assignments_refresh_search(units=[unit], people=[person]) == 1

    found = Assignment.objects.search
    assert list(found("浙大一院")) == [assignment]
    assert list(found("季诚")) == [assignment]
    assert list(found("季成")) == []
    assert list(found("jicheng")) == [assignment]
    assert list(found("副 院长")) == [assignment]


def test_refreshing_touches_only_the_assignments_of_what_changed():
    mine = make_assignment(sending_unit=make_unit("杭州市第一人民医院"))
    other = make_assignment(sending_unit=make_unit("杭州市第二人民医院"))
    Assignment.objects.filter(pk=other.pk).update(search_text="旧文本")
    assert assignments_refresh_search(units=[mine.sending_unit]) == 1
    assert Assignment.objects.get(pk=other.pk).search_text == "旧文本"


def test_marking_returned_skips_assignments_begun_after_the_date():
    early = make_assignment(arrived_on=date(2021, 7, 1))
    late = make_assignment(arrived_on=date(2023, 1, 1))
    changed, skipped = assignments_mark_returned(
        assignments=Assignment.objects.all(), left_on=date(2022, 6, 30)
    )
    assert (changed, skipped) == (1, 1)
    early.refresh_from_db()
    late.refresh_from_db()
    assert early.left_on == date(2022, 6, 30)
    assert late.left_on is None
