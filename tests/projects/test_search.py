"""Projects' part of the site search."""

import pytest

from projects.search import provider, search_projects
from tests.builders import NOT_PUBLIC, make_project

pytestmark = pytest.mark.django_db


def test_projects_are_found_by_name_place_and_partner():
    project = make_project(
        name="阿克苏纺织工业城", location="阿克苏市", partner="杭州纺织集团"
    )
    for query in ("纺织工业", "阿克苏市", "杭州纺织"):
        assert list(search_projects(query)) == [project]


@pytest.mark.parametrize("state", NOT_PUBLIC)
def test_what_is_not_public_is_never_found(state):
    make_project(name="阿克苏纺织工业城", **NOT_PUBLIC[state])
    assert not search_projects("纺织").exists()


def test_the_provider_names_its_group():
    assert (provider.name, str(provider.label)) == ("projects", "项目")
