import json
from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidportal.inspection import site_inspect
from aidportal.kernel.typos import Typo
from articles.models import Article
from tests.builders import (
    image_file,
    make_article,
    make_article_image,
    make_channel,
    make_person,
    make_project,
    make_project_image,
)

pytestmark = pytest.mark.django_db


def findings(report=None):
    """{section key: [finding text, …]} of the sections with findings."""
    report = report or site_inspect()
    return {
        section.key: [f"{f.where} {f.text} {f.admin_url}" for f in section.findings]
        for section in report.sections
        if section.findings
    }


def days_ago(days):
    return timezone.now() - timedelta(days=days)


def run_command(*args):
    """(exit status, output) of site_inspect."""
    from io import StringIO

    out = StringIO()
    try:
        call_command("site_inspect", *args, stdout=out)
    except SystemExit as exit:
        return exit.code, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def typos(db):
    Typo.objects.create(wrong="再接再励", right="再接再厉", severe=True)
    Typo.objects.create(wrong="登陆", right="登录", note="仅指登录网站时", severe=False)


@pytest.fixture
def clean_site(typos):
    """Published content with every check passing: covers, galleries, photos
    with alt texts, links to public pages of this site and to other sites."""
    person = make_person("季成", photo=image_file(), photo_alt="季成近照")
    project = make_project(
        cover=image_file(), cover_alt="卫生院外景", body="<p>卫生院建成。</p>"
    )
    make_project_image(project)
    article = make_article(
        cover=image_file(),
        cover_alt="医生查房",
        body=(
            f'<p><a href="/projects/{project.pk}/">项目</a>'
            f'<a href="http://127.0.0.1:8000/personnel/{person.pk}/">人员</a>'
            '<a href="https://www.example.com/missing/">外站</a>'
            '<a href="/articles/">全部文章</a>'
            '<a href="/static/img/favicon.svg">图标</a>'
            f'<a href="/projects/{project.pk}/?from=home#facts">带参数</a>'
            '<a href="#top">页内</a><a href="mailto:a@example.com">邮件</a></p>'
        ),
    )
    make_article_image(article)
    make_article(
        channel=article.channel,
        body=f'<p>见<a href="/articles/{article.pk}/">上文</a>和'
        f'<a href="/channels/{article.channel.slug}/">栏目</a>，再接再厉。</p>',
    )
    return article


def test_clean_site_has_no_findings(clean_site):
    report = site_inspect()

    assert findings(report) == {}
    assert not report.failed
    assert run_command()[0] == 0


def test_channel_not_updated_within_the_default_period_fails_the_site(settings):
    settings.SITE_INSPECT_CHANNEL_DAYS = 14
    make_article(channel=make_channel(name="前沿动态"), published_at=days_ago(20))
    make_channel(name="空栏目")
    make_channel(name="不在导航", in_navigation=False)

    stale = findings()["stale_channels"]

    assert len(stale) == 2
    assert "《前沿动态》 栏目超过 14 天未更新（最新文章发布于" in stale[0]
    assert "《空栏目》 栏目超过 14 天未更新（栏目中没有已发布的文章）" in stale[1]
    status, output = run_command()
    assert status == 1
    assert "结论：不合格，发现单项否决问题 2 项" in output


def test_channel_period_overrides_the_default(settings):
    settings.SITE_INSPECT_CHANNEL_DAYS = 14
    make_article(
        channel=make_channel(name="地理区位", update_period_days=180),
        published_at=days_ago(100),
    )
    make_article(
        channel=make_channel(name="前沿动态", update_period_days=3),
        published_at=days_ago(5),
    )

    stale = findings()["stale_channels"]

    assert len(stale) == 1
    assert "《前沿动态》 栏目超过 3 天未更新" in stale[0]


def test_default_period_comes_from_the_settings(settings):
    make_article(published_at=days_ago(20))
    settings.SITE_INSPECT_CHANNEL_DAYS = 30
    assert findings() == {}
    settings.SITE_INSPECT_CHANNEL_DAYS = 14
    assert "stale_channels" in findings()


@pytest.mark.parametrize("state", ["draft", "scheduled", "expired"])
def test_unpublished_article_does_not_update_a_channel(state):
    from tests.builders import NOT_PUBLIC

    channel = make_channel()
    make_article(channel=channel, published_at=days_ago(30))
    make_article(channel=channel, **NOT_PUBLIC[state])

    assert len(findings()["stale_channels"]) == 1


def test_severe_typo_fails_the_site(typos):
    article = make_article(title="援疆医生再接再励")

    found = findings()

    assert list(found) == ["severe_typos"]
    assert f"文章 #{article.pk}《援疆医生再接再励》 标题" in found["severe_typos"][0]
    assert "“再接再励”应为“再接再厉”" in found["severe_typos"][0]
    assert f"/admin/articles/article/{article.pk}/change/" in found["severe_typos"][0]
    status, output = run_command()
    assert status == 1
    assert "二、严重错别字（单项否决）：1 项" in output


def test_typo_in_a_body_is_shown_in_context(typos):
    project = make_project(body="<p>请<strong>登陆</strong>系统填报项目进度。</p>")

    typo = findings()["typos"]

    assert len(typo) == 1
    assert f"援建项目 #{project.pk}" in typo[0] or f"#{project.pk}" in typo[0]
    assert "正文：“请【登陆】系统填报项目进度。”" in typo[0]
    assert "（仅指登录网站时）" in typo[0]


def test_only_point_costing_items_exit_zero(typos):
    make_article(
        summary="请登陆系统。",
        source="",
        body='<p><a href="/no-such-page/">坏链接</a></p>',
    )

    status, output = run_command()

    assert status == 0
    assert "结论：未发现单项否决问题；扣分问题 3 项。" in output


def test_drafts_are_not_inspected(typos):
    fresh = make_article()
    make_article(
        channel=fresh.channel,
        title="再接再励",
        source="",
        body='<p><a href="/no-such-page/">坏链接</a><img src="/media/none.jpg"></p>',
        status=Article.Status.DRAFT,
    )

    assert findings() == {}


def test_published_link_to_a_draft_is_broken():
    draft = make_article(status=Article.Status.DRAFT)
    hidden = make_person(is_public=False)
    article = make_article(
        body=(
            f'<p><a href="/articles/{draft.pk}/">草稿</a>'
            f'<a href="http://127.0.0.1:8000/personnel/{hidden.pk}/">隐藏人员</a>'
            '<a href="/articles/999999/">已删除</a>'
            '<a href="/channels/no-such-channel/">栏目</a>'
            '<a href="/no-such-page/">页面</a>'
            '<a href="/static/css/none.css">样式</a>'
            '<a href="https://www.example.com/no-such-page/">外站不查</a></p>'
        )
    )

    broken = findings()["broken_links"]

    assert len(broken) == 6
    assert any("不存在的文件：/static/css/none.css" in line for line in broken)
    assert all(f"文章 #{article.pk}" in line for line in broken)
    assert any(f"未公开的文章：/articles/{draft.pk}/" in line for line in broken)
    assert any(
        f"未公开的援疆人员：http://127.0.0.1:8000/personnel/{hidden.pk}/" in line
        for line in broken
    )
    assert any("不存在的页面：/no-such-page/" in line for line in broken)


def test_missing_pictures_and_attachments_are_found():
    article = make_article(cover=image_file(), cover_alt="题图")
    picture = make_article_image(article)
    project = make_project(
        body='<p><a href="/media/files/report.pdf">附件</a>'
        '<img src="/media/pictures/none.jpg" alt="示意图"></p>'
    )
    project_picture = make_project_image(project)
    person = make_person(photo=image_file(), photo_alt="近照")
    for file in (article.cover, picture.image, project_picture.image, person.photo):
        default_storage.delete(file.name)

    missing = findings()["missing_files"]

    assert len(missing) == 6
    assert any(
        f"文章 #{article.pk}" in line and "题图文件不存在" in line for line in missing
    )
    assert any(
        "正文引用的文件不存在：/media/files/report.pdf" in line for line in missing
    )
    assert any("/media/pictures/none.jpg" in line for line in missing)
    assert any(
        f"#{person.pk}《" in line and "照片文件不存在" in line for line in missing
    )


def test_articles_without_source_or_editor_are_found():
    make_article(source="", editor="")
    make_article(editor="  ")

    byline = findings()["missing_byline"]

    assert len(byline) == 2
    assert "缺少来源和编辑" in byline[0]
    assert "缺少编辑" in byline[1]


def test_pictures_without_alt_text_are_found():
    article = make_article(cover=image_file())
    make_article(cover=image_file(), cover_decorative=True)
    make_article_image(article, alt="")
    make_project(cover=image_file(), body='<p><img src="/media/none.jpg"></p>')
    make_person(photo=image_file())
    make_person(name="无照片")

    missing = findings()["missing_alt"]

    assert len(missing) == 5
    assert any("题图缺少替代文字" in line for line in missing)
    assert any("组图第" in line for line in missing)
    assert any("正文图片缺少替代文字：/media/none.jpg" in line for line in missing)
    assert any("照片缺少替代文字" in line for line in missing)


def test_json_report(typos):
    make_article(title="再接再励")

    status, output = run_command("--format", "json")

    data = json.loads(output)
    assert status == 1
    assert data["failed"] is True
    severe = next(s for s in data["sections"] if s["key"] == "severe_typos")
    assert severe["count"] == 1
    assert severe["items"][0]["admin_url"].startswith("/admin/articles/article/")


def test_admin_page_is_for_superusers_only(login):
    url = reverse("site-inspect")
    publisher = login("publisher")

    assert publisher.get(url).status_code == 403
    assert publisher.post(url).status_code == 403
    assert "网站自查" not in publisher.get(reverse("admin:index")).text


def test_admin_page_shows_the_report_when_asked(typos):
    make_article(title="再接再励")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))
    url = reverse("site-inspect")

    assert url in client.get(reverse("admin:index")).text
    opened = client.get(url)
    assert opened.status_code == 200
    assert "开始自查" in opened.text
    assert "再接再励" not in opened.text

    response = client.post(url)
    assert response.status_code == 200
    assert "结论：不合格，发现单项否决问题 1 项" in response.text
    assert "“再接再励”应为“再接再厉”" in response.text
    assert "/admin/articles/article/" in response.text


def test_publishers_keep_the_typo_list_and_editors_read_it(login):
    publisher, editor = login("publisher"), login("editor")
    add = reverse("admin:kernel_typo_add")
    data = {"wrong": "按装", "right": "安装", "note": "", "severe": "on"}

    assert editor.get(reverse("admin:kernel_typo_changelist")).status_code == 200
    assert editor.post(add, data).status_code == 403
    assert publisher.post(add, data).status_code == 302
    assert Typo.objects.get(wrong="按装").severe


def test_typo_form_refuses_a_wrong_form_equal_to_the_right_one(login):
    response = login("publisher").post(
        reverse("admin:kernel_typo_add"), {"wrong": "安装", "right": "安装"}
    )

    assert response.status_code == 200
    assert "错误写法不能为空，也不能与正确写法相同。" in response.text
    assert not Typo.objects.exists()


def test_load_demo_fills_the_typo_list_once_keeping_staff_edits():
    call_command("load_demo")
    count = Typo.objects.count()
    assert 10 <= count <= 20
    assert Typo.objects.get(wrong="再接再励").severe
    assert not Typo.objects.get(wrong="登陆").severe
    Typo.objects.filter(wrong="做为").update(severe=False, note="本站约定")

    call_command("load_demo")

    assert Typo.objects.count() == count
    edited = Typo.objects.get(wrong="做为")
    assert (edited.severe, edited.note) == (False, "本站约定")


def test_queries_do_not_grow_with_the_content():
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def inspected_queries():
        with CaptureQueriesContext(connection) as queries:
            site_inspect()
        return len(queries)

    def add_content():
        target = make_article()
        article = make_article(
            cover=image_file(),
            cover_alt="题图",
            body=f'<p><a href="/articles/{target.pk}/">链接</a></p>',
        )
        make_article_image(article)
        make_project_image(make_project(cover=image_file(), cover_alt="外景"))
        make_person(photo=image_file(), photo_alt="近照")

    add_content()
    few = inspected_queries()
    for _ in range(10):
        add_content()

    assert inspected_queries() == few <= 10


def test_admin_page_lists_the_first_findings_of_a_check_and_counts_all(
    monkeypatch,
):
    monkeypatch.setattr("aidportal.views.SITE_INSPECT_ROWS", 2)
    channel = make_channel()
    for _ in range(3):
        make_article(channel=channel, source="")
    client = Client()
    client.force_login(User.objects.create_superuser("root", password="x"))

    response = client.post(reverse("site-inspect"))

    assert "文章缺少来源或编辑（扣分）：3 项" in response.text
    assert response.text.count("<td>缺少来源") == 2
    assert "另有 1 项未列出" in response.text


def test_typo_split_by_formatting_or_written_with_entities_is_found(typos):
    make_article(body="<p>我们要再接<strong>再励</strong>，&lt;再接再励&gt;。</p>")

    severe = findings()["severe_typos"]

    assert len(severe) == 2
    assert "正文：“我们要【再接再励】，<再接再励>。”" in severe[0]
