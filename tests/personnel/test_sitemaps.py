import pytest

from personnel.sitemaps import sitemaps
from tests.builders import make_person

pytestmark = pytest.mark.django_db


def test_the_roster_declares_its_public_people():
    shown = make_person("季成")
    make_person("隐藏者", is_public=False)
    assert list(sitemaps["people"].items()) == [shown]
