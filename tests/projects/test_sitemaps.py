import pytest

from projects.sitemaps import sitemaps
from tests.builders import make_project

pytestmark = pytest.mark.django_db


def test_projects_declare_their_published_projects():
    shown = make_project()
    make_project(status="draft")
    assert list(sitemaps["projects"].items()) == [shown]
