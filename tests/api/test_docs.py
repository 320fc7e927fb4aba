"""/api/v1/docs/: the API described for people, Swagger UI from static files."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.urls import reverse

pytestmark = pytest.mark.django_db

URL = reverse("api:docs")


def assets(html):
    """The addresses of the page's scripts and stylesheets."""
    scripts = re.findall(r'<script[^>]*\ssrc="([^"]+)"', html)
    styles = re.findall(r'<link[^>]*rel="stylesheet"[^>]*href="([^"]+)"', html)
    return scripts + styles


def test_the_docs_page_is_public(client):
    response = client.get(URL)

    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 class="page-title">开放数据接口</h1>' in html
    assert f'data-schema-url="{reverse("api:openapi-json")}"' in html


def test_its_scripts_and_styles_are_the_sites_own_static_files(client):
    html = client.get(URL).content.decode()

    found = assets(html)
    assert {
        "vendor/swagger-ui/swagger-ui-bundle.js",
        "vendor/swagger-ui/swagger-ui.css",
        "js/api-docs.js",
    } <= {url.removeprefix(settings.STATIC_URL) for url in found}
    for url in found:
        assert url.startswith(settings.STATIC_URL), url
        assert finders.find(url.removeprefix(settings.STATIC_URL)), url


def test_its_policy_allows_no_inline_script_or_style(client):
    """Swagger UI sets its styles through the DOM, which a policy without
    'unsafe-inline' allows: the page needs none (the admin's pages do)."""
    policy = client.get(URL)["Content-Security-Policy"]

    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"].split()[0] == "'self'"
    assert directives["style-src"] == "'self'"
    assert "unsafe-inline" not in policy


def test_nothing_comes_from_a_cdn(client):
    html = client.get(URL).content.decode()

    assert "<script>" not in html
    for url in re.findall(r'(?:src|href)="([^"]+)"', html):
        assert not url.startswith("//"), url
        assert not url.startswith("http") or url.startswith("http://testserver/"), url
    assert not re.search(r"cdn|unpkg|jsdelivr", html, re.IGNORECASE)


def test_the_vendored_swagger_ui_names_no_source_map(client):
    # The production static storage refuses a reference to a file it lacks.
    for name in ("swagger-ui-bundle.js", "swagger-ui.css"):
        text = Path(finders.find(f"vendor/swagger-ui/{name}")).read_text("utf-8")
        assert "sourceMappingURL" not in text, name


def test_it_is_revalidated_like_an_api_answer(client):
    response = client.get(URL)

    assert response["Cache-Control"] == f"public, max-age={settings.PAGE_MAX_AGE}"
    again = client.get(URL, headers={"if-none-match": response["ETag"]})
    assert again.status_code == 304


def test_it_costs_no_query_when_warm(count_queries):
    count_queries(URL)

    response, queries = count_queries(URL)

    assert response.status_code == 200
    assert queries == 0


def test_it_offers_no_traditional_version_which_api_has_none(client):
    html = client.get(URL).content.decode()

    assert client.get(f"/zh-hant{URL}")["Location"] == URL
    assert "/zh-hant/" not in html
    assert 'class="script-switch"' not in html


def test_every_footer_links_it(client):
    html = client.get("/").content.decode()

    assert f'<a href="{URL}">开放数据接口</a>' in html


def test_the_api_index_names_it(client):
    assert client.get("/api/v1/").json()["docs"] == f"http://testserver{URL}"


def test_it_only_reads(client):
    assert client.post(URL).status_code == 405
