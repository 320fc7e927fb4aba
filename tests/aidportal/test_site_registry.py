"""The site's record (网站信息): superusers edit it, every footer shows it."""

import re

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from aidportal.context_processors import site
from aidportal.models import SiteRegistry
from tests.builders import form_errors, image_file, make_article

pytestmark = pytest.mark.django_db

LIST_URL = reverse("admin:aidportal_siteregistry_changelist")
ADD_URL = reverse("admin:aidportal_siteregistry_add")
CHANGE_URL = reverse("admin:aidportal_siteregistry_change", args=[1])
DELETE_URL = reverse("admin:aidportal_siteregistry_delete", args=[1])

FILLED = {
    "sponsor": "杭州市对口支援新疆阿克苏市指挥部",
    "operator": "杭州市援疆信息中心",
    "address": "浙江省杭州市上城区解放东路18号",
    "phone": "0571-87001234",
    "email": "office@example.org",
    "site_code": "3301000001",
    "icp_number": "浙ICP备12345678号-1",
    "public_security_number": "浙公网安备 33010202000001号",
    "footer_note": "建议使用最新版浏览器访问。",
}


def registry_post(**values):
    data = {name: "" for name in FILLED}
    data.update(gov_badge_alt="", gov_badge_url="")
    data.update(values)
    return data


def footer(response):
    content = response.content.decode()
    return content[content.index('<footer class="site-footer">') :]


def add_registry(**values):
    registry = SiteRegistry(**values)
    registry.full_clean()
    registry.save()
    return registry


# Admin permissions


def test_a_superuser_adds_the_record_and_the_list_goes_to_it(admin_client):
    assert admin_client.get(LIST_URL)["Location"] == ADD_URL
    response = admin_client.post(ADD_URL, registry_post(**FILLED))
    assert response.status_code == 302, form_errors(response)
    registry = SiteRegistry.objects.get()
    assert (registry.pk, registry.sponsor) == (1, FILLED["sponsor"])
    assert admin_client.get(LIST_URL)["Location"] == CHANGE_URL
    # One row: no second add, and no delete.
    assert admin_client.get(ADD_URL).status_code == 403
    assert admin_client.get(DELETE_URL).status_code == 403


def test_a_superuser_changes_the_record(admin_client):
    add_registry(sponsor="旧主办单位")
    page = admin_client.get(CHANGE_URL)
    assert page.status_code == 200
    version = re.search(
        r'name="edit_version" value="([^"]*)"', page.content.decode()
    ).group(1)
    response = admin_client.post(
        CHANGE_URL, registry_post(sponsor="新主办单位", edit_version=version)
    )
    assert response.status_code == 302, form_errors(response)
    assert SiteRegistry.objects.get().sponsor == "新主办单位"


@pytest.mark.parametrize("role", ["editor", "publisher", "reporter"])
def test_other_staff_get_no_menu_entry_and_403(login, role):
    add_registry(sponsor="主办单位")
    client = login(role)
    index = client.get(reverse("admin:index")).content.decode()
    assert "网站信息" not in index
    assert LIST_URL not in index
    for url in (LIST_URL, ADD_URL, CHANGE_URL, DELETE_URL):
        assert client.get(url).status_code == 403, url
    assert client.post(CHANGE_URL, registry_post(sponsor="改")).status_code == 403
    assert SiteRegistry.objects.get().sponsor == "主办单位"


def test_the_superusers_admin_index_lists_the_record(admin_client):
    assert "网站信息" in admin_client.get(reverse("admin:index")).content.decode()


# Validation


@pytest.mark.parametrize(
    "field, value, label",
    [
        ("site_code", "330100001", "网站标识码"),
        ("site_code", "33010000011", "网站标识码"),
        ("site_code", "33010A0001", "网站标识码"),
        ("icp_number", "ICP备12345678号", "ICP备案号"),
        ("icp_number", "浙ICP备12345678", "ICP备案号"),
        ("icp_number", "浙ICP证12345678号", "ICP备案号"),
        ("public_security_number", "浙公网安备 3301020200000号", "公安机关备案号"),
        ("public_security_number", "浙公网安备 330102020000012号", "公安机关备案号"),
        ("public_security_number", "33010202000001", "公安机关备案号"),
        ("email", "不是邮箱", "电子邮箱"),
        ("gov_badge_url", "不是网址", "标识链接"),
    ],
)
def test_a_malformed_number_is_refused_in_chinese_on_its_field(
    admin_client, field, value, label
):
    response = admin_client.post(ADD_URL, registry_post(**{field: value}))
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == [field]
    message = errors[field][0]
    assert re.search(r"[\u4e00-\u9fff]", message)
    assert message.startswith(label)
    # No English besides the quoted example.
    assert not re.search(r"[A-Za-z]{4,}", re.sub(r"“[^”]*”", "", message))
    assert not SiteRegistry.objects.exists()


@pytest.mark.parametrize(
    "field, typed, stored",
    [
        ("site_code", "bm56000001", "bm56000001"),
        ("site_code", " ３３０１０００００１ ", "3301000001"),
        ("icp_number", "浙ICP备2021012345号", "浙ICP备2021012345号"),
        ("icp_number", "京ICP备05070679号-12", "京ICP备05070679号-12"),
        (
            "public_security_number",
            "浙公网安备33010202000001号",
            "浙公网安备 33010202000001号",
        ),
    ],
)
def test_well_formed_numbers_are_kept_written_one_way(
    admin_client, field, typed, stored
):
    response = admin_client.post(ADD_URL, registry_post(**{field: typed}))
    assert response.status_code == 302, form_errors(response)
    assert getattr(SiteRegistry.objects.get(), field) == stored


def test_a_badge_picture_needs_its_alt_text(admin_client):
    upload = image_file("badge.png", format="PNG")
    response = admin_client.post(ADD_URL, {**registry_post(), "gov_badge": upload})
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert list(errors) == ["gov_badge_alt"]
    assert "替代文字" in errors["gov_badge_alt"][0]
    assert not SiteRegistry.objects.exists()


def test_a_badge_with_alt_text_is_shown_and_served_to_anyone(admin_client, client):
    upload = image_file("badge.png", format="PNG")
    response = admin_client.post(
        ADD_URL,
        {
            **registry_post(gov_badge_alt="党政机关网站标识"),
            "gov_badge": upload,
            "gov_badge_url": "https://example.org/badge",
        },
    )
    assert response.status_code == 302, form_errors(response)
    registry = SiteRegistry.objects.get()
    html = footer(client.get("/"))
    assert f'src="{registry.gov_badge.url}" alt="党政机关网站标识"' in html
    assert '<a href="https://example.org/badge" rel="noopener">' in html
    assert client.get(registry.gov_badge.url).status_code == 200


# Footer


def test_the_footer_shows_every_filled_field_with_its_links(client):
    add_registry(**FILLED)
    html = footer(client.get("/"))
    for label, value in [
        ("主办单位", FILLED["sponsor"]),
        ("承办单位", FILLED["operator"]),
        ("联系地址", FILLED["address"]),
        ("联系电话", FILLED["phone"]),
        ("网站标识码", FILLED["site_code"]),
    ]:
        assert f"<span>{label}：{value}</span>" in html
    assert '<a href="mailto:office@example.org">office@example.org</a>' in html
    assert (
        '<a href="https://beian.miit.gov.cn/" rel="noopener">浙ICP备12345678号-1</a>'
        in html
    )
    assert (
        'href="https://beian.mps.gov.cn/#/query/webSearch?code=33010202000001" '
        'rel="noopener">' in html
    )
    assert "filing-badge.svg" in html
    assert "浙公网安备 33010202000001号</a>" in html
    assert FILLED["footer_note"] in html
    assert 'target="_blank"' not in html
    assert f'href="{reverse("site-map")}">网站地图</a>' in html


def test_the_footer_hides_empty_fields_entirely(client):
    add_registry(sponsor="只有主办单位", icp_number="浙ICP备12345678号")
    html = footer(client.get("/"))
    assert "<span>主办单位：只有主办单位</span>" in html
    assert "浙ICP备12345678号</a>" in html
    for label in ("承办单位", "联系地址", "联系电话", "电子邮箱", "网站标识码"):
        assert label not in html
    assert "beian.mps.gov.cn" not in html
    assert "filing-badge.svg" not in html
    assert "registry-badge" not in html
    assert "registry-note" not in html


def test_without_a_record_the_footer_has_no_registry_lines(client):
    html = footer(client.get("/"))
    assert "registry-" not in html
    assert "主办单位" not in html
    assert "网站地图" in html


def test_the_footer_escapes_what_staff_typed(client):
    add_registry(
        sponsor='<script>alert("主办")</script>',
        address="杭州 & <b>阿克苏</b>",
        footer_note='"><img src=x onerror=alert(1)>',
    )
    html = footer(client.get("/"))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(&quot;主办&quot;)&lt;/script&gt;" in html
    assert "杭州 &amp; &lt;b&gt;阿克苏&lt;/b&gt;" in html
    assert "<img src=x" not in html


def test_the_record_is_read_once_per_site_version(django_assert_num_queries):
    add_registry(**FILLED)
    with django_assert_num_queries(1):
        assert site(RequestFactory().get("/"))["site_registry"].sponsor
    with django_assert_num_queries(0):
        assert site(RequestFactory().get("/"))["site_registry"].icp_number


def test_a_warm_footer_costs_no_query(client):
    """The same page, with and without a record: the record adds no query
    once the cache holds it (the version check and the page's own queries
    are the same either way)."""
    make_article(title="一篇文章")
    url = reverse("articles:list")
    client.get(url)

    def queries():
        with CaptureQueriesContext(connection) as ran:
            assert client.get(url).status_code == 200
        return [query["sql"] for query in ran.captured_queries]

    without = queries()
    add_registry(**FILLED)
    client.get(url)  # warms the record's block
    with_record = queries()
    assert FILLED["sponsor"] in footer(client.get(url))
    assert len(with_record) == len(without)
    assert not any("aidportal_siteregistry" in sql for sql in with_record)


def test_saving_the_record_invalidates_the_cached_page(page_cache):
    add_registry(sponsor="旧主办单位")
    visitor = Client()
    assert "旧主办单位" in footer(visitor.get("/"))
    registry = SiteRegistry.objects.get()
    registry.sponsor = "新主办单位"
    registry.save()
    html = footer(visitor.get("/"))
    assert "新主办单位" in html
    assert "旧主办单位" not in html


def test_saving_through_the_admin_invalidates_the_cached_page(page_cache):
    visitor = Client()
    assert "浙ICP备" not in footer(visitor.get("/"))
    superuser = User.objects.create_superuser("root", password="x")
    staff = Client()
    staff.force_login(superuser)
    response = staff.post(ADD_URL, registry_post(icp_number="浙ICP备12345678号-2"))
    assert response.status_code == 302, form_errors(response)
    assert "浙ICP备12345678号-2" in footer(visitor.get("/"))


# Demo


def test_load_demo_fills_the_record_with_demo_values_once():
    call_command("load_demo")
    registry = SiteRegistry.objects.get()
    registry.full_clean()
    assert registry.site_code == "0000000000"
    assert registry.icp_number == "浙ICP备00000000号-1"
    assert "演示数据" in registry.footer_note
    before = {name: getattr(registry, name) for name in FILLED}
    call_command("load_demo")
    assert SiteRegistry.objects.count() == 1
    after = SiteRegistry.objects.get()
    assert {name: getattr(after, name) for name in FILLED} == before


def test_load_demo_leaves_a_record_staff_wrote_alone():
    add_registry(sponsor="真实的主办单位")
    call_command("load_demo")
    registry = SiteRegistry.objects.get()
    assert registry.sponsor == "真实的主办单位"
    assert registry.icp_number == ""
    assert registry.footer_note == ""
