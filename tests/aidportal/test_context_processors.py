"""What every page is given: the site's name and address, the navigation."""

import pytest
from django.test import RequestFactory

from aidportal.context_processors import site, site_url
from tests.builders import make_channel

pytestmark = pytest.mark.django_db


def test_pages_get_the_site_name_from_settings(settings):
    context = site(RequestFactory().get("/"))
    assert context["site_name"] == settings.SITE_NAME
    assert context["site_url"] == "http://testserver"


def test_a_forged_host_gives_no_site_url(settings):
    settings.ALLOWED_HOSTS = ["aid.example.org"]
    assert site_url(RequestFactory().get("/", HTTP_HOST="evil.example")) == ""


def test_the_navigation_is_read_once_per_site_version(django_assert_num_queries):
    make_channel(name="前沿动态")
    make_channel(name="不在导航", in_navigation=False)
    with django_assert_num_queries(1):
        names = [c.name for c in site(RequestFactory().get("/"))["nav_channels"]]
    assert names == ["前沿动态"]
    with django_assert_num_queries(0):
        list(site(RequestFactory().get("/"))["nav_channels"])
