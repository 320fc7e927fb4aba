"""manage.py build_exports: the whole-roster files made ahead."""

import io

import pytest
from django.core.management import call_command

from tests.builders import export, make_assignment, rows_of

pytestmark = pytest.mark.django_db


def test_the_whole_roster_is_prebuilt_and_then_served(client, builds):
    for name in ("季成", "王芳", "周正"):
        make_assignment(name=name)
    output = io.StringIO()
    call_command("build_exports", stdout=output)
    assert len(builds) == 2
    assert "csv: downloads/" in output.getvalue()
    for fmt in ("csv", "xlsx"):
        response = export(client, fmt)
        assert response.status_code == 200
        assert len(rows_of(response, fmt)) == 1 + 3
    assert len(builds) == 2, "served the prebuilt files"


def test_a_whole_roster_too_big_for_a_request_is_built_by_the_command(settings, builds):
    """Past ROSTER_EXPORT_MAX_ROWS a request would build in the background:
    the command builds at once."""
    settings.ROSTER_EXPORT_MAX_ROWS = 1
    for name in ("季成", "王芳"):
        make_assignment(name=name)
    call_command("build_exports", stdout=io.StringIO())
    assert len(builds) == 2
