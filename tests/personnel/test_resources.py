"""The admin import's adapter (django-import-export) on the one roster
pipeline: the same row checks and writer as import_roster."""

import pytest
import tablib

from personnel.models import Assignment
from personnel.resources import RosterResource
from tests.builders import (
    EDITOR,
    make_assignment,
    make_person,
    make_staff,
    make_unit,
)

pytestmark = pytest.mark.django_db

HEADER = ["姓名", "派出单位", "对口支援单位", "职务"]


def imported(rows, **options):
    resource = RosterResource(batch_number=10, **options)
    return resource.import_data(
        tablib.Dataset(*rows, headers=HEADER),
        dry_run=False,
        rollback_on_validation_errors=True,
    )


def test_good_rows_are_written_by_the_roster_writer():
    result = imported(
        [
            ["季 成", "杭州市第一人民医院", "阿克苏市人民医院", "副院长"],
            ["王芳", "杭州第二中学", "阿克苏市实验中学", "数学教师"],
        ]
    )
    assert not result.has_validation_errors()
    assert Assignment.objects.count() == 2
    assert Assignment.objects.get(person__name_key="季成").batch.number == 10


def test_bad_rows_are_named_by_file_line_and_nothing_is_written():
    result = imported(
        [
            ["季 成", "杭州市第一人民医院", "阿克苏市人民医院", "副院长"],
            ["", "杭州第二中学", "阿克苏市实验中学", "数学教师"],
            ["季成", "杭州市第一人民医院", "阿克苏市人民医院", "院长"],
        ]
    )
    assert result.has_validation_errors()
    lines = {row.number: row.error_dict for row in result.invalid_rows}
    assert set(lines) == {3, 4}, "the header is line 1"
    assert "与第2行重复" in str(lines[4])
    assert Assignment.objects.count() == 0


def test_an_editors_import_cannot_touch_a_public_person():
    make_assignment(
        make_person("季成"),
        sending_unit=make_unit("杭州市第一人民医院"),
        receiving_unit=make_unit("阿克苏市人民医院"),
        position="",
    )
    result = imported(
        [["季 成", "杭州市第一人民医院", "阿克苏市人民医院", "院长"]],
        user=make_staff(EDITOR),
    )
    assert result.has_validation_errors()
    assert Assignment.objects.get().position == ""
