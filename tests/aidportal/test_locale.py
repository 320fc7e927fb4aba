"""Staff meet no English in the admin: every page type, for every role that
may open it, is scanned for English interface words in its visible text and
in the words a screen reader or a tooltip gives (aria-label, title,
placeholder, alt, button values; the word list is tests/english.py). The
project's catalogue (locale/zh_Hans) fills what Django, django-axes,
django-simple-history and django-import-export leave untranslated; the
editor's toolbar, built by JavaScript, is checked in the browser
(tests/browser/test_locale.py)."""

import io
import re
from pathlib import Path

import polib
import pytest
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel.audit import AuditEntry
from aidportal.kernel.workflow import ReviewComment, Submission
from articles.models import Article
from personnel.models import Assignment
from tests.builders import (
    EDITOR,
    PUBLISHER,
    REPORTER,
    article_post,
    make_article,
    make_assignment,
    make_staff,
)
from tests.english import english_on

pytestmark = pytest.mark.django_db


def test_the_catalogues_are_compiled_and_current(settings):
    """make compiles them; pytest alone does not (then: manage.py
    compile_catalogues)."""
    catalogues = list(Path(settings.LOCALE_PATHS[0]).glob("*/LC_MESSAGES/*.po"))
    assert {po.name for po in catalogues} == {"django.po", "djangojs.po"}
    for po in catalogues:
        mo = po.with_suffix(".mo")
        assert mo.exists(), f"{mo} missing: run manage.py compile_catalogues"
        assert mo.stat().st_mtime >= po.stat().st_mtime, f"{mo} older than {po}"


def test_compile_catalogues_refuses_an_untranslated_entry(settings, tmp_path):
    folder = tmp_path / "zh_Hans" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    (folder / "django.po").write_text(
        'msgid ""\nmsgstr "Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Model name"\nmsgstr "模型名称"\n\nmsgid "Add link"\nmsgstr ""\n',
        encoding="utf-8",
    )
    settings.LOCALE_PATHS = [tmp_path]
    with pytest.raises(CommandError, match="Add link"):
        call_command("compile_catalogues", stdout=io.StringIO())
    assert not (folder / "django.mo").exists()
    (folder / "django.po").write_text(
        (folder / "django.po")
        .read_text()
        .replace('msgstr ""\n', 'msgstr "增加链接"\n'),
        encoding="utf-8",
    )
    call_command("compile_catalogues", stdout=io.StringIO())
    compiled = polib.mofile(str(folder / "django.mo"))
    assert {entry.msgid: entry.msgstr for entry in compiled} == {
        "Model name": "模型名称",
        "Add link": "增加链接",
    }


def test_the_scanner_finds_english_in_text_and_spoken_attributes():
    html = (
        '<th scope="col"><span class="visually-hidden">Model name</span></th>'
        '<button title="insert link">链接</button><p>修改原因 None</p>'
        "<script>var label = 'Delete'</script><textarea>Add link</textarea>"
        '<input type="submit" value="Save"><a aria-label="导出 CSV">CSV</a>'
    )
    assert english_on(html) == [
        "button[title]: 'insert link'",
        "input[value]: 'Save'",
        "text: 'Model name'",
        "text: '修改原因 None'",
    ]


@pytest.fixture
def content():
    """Rows with Chinese content only, so any English word is the interface's."""
    article = make_article(title="援疆医生完成首台手术", body="<p>正文。</p>")
    client = Client()
    client.force_login(User.objects.create_superuser("管理员", password="口令"))
    # A second version, so the history has a change to show.
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, subtitle="副标题"),
    )
    deleted = make_article(title="删掉的文章")
    deleted.delete()
    make_assignment()
    # A live article with a working copy in review and a comment: the review
    # page's diff, the change form's notice and the index's queues.
    live = make_article(title="援疆教师公开课", status=Article.Status.PUBLISHED)
    author = make_staff(EDITOR, username="作者乙")
    Submission.objects.create(
        content_type=ContentType.objects.get_for_model(live),
        object_id=live.pk,
        author=author,
        submitted_at=timezone.now(),
        data={"title": "援疆教师示范课", "body": "<p>改过的正文。</p>"},
    )
    ReviewComment.objects.create(
        content_type=ContentType.objects.get_for_model(live),
        object_id=live.pk,
        author=author,
        text="请核对标题。",
    )
    return article


def admin_pages(article):
    """Every admin page type, as (label, url) pairs."""
    history = article.history.order_by("history_id").first()
    reviewed = Submission.objects.get().target()
    return [
        ("index", reverse("admin:index")),
        ("app index", reverse("admin:app_list", args=["articles"])),
        ("changelist", reverse("admin:articles_article_changelist")),
        ("add", reverse("admin:articles_article_add")),
        ("change", reverse("admin:articles_article_change", args=[article.pk])),
        ("history", reverse("admin:articles_article_history", args=[article.pk])),
        (
            "history detail",
            reverse(
                "admin:articles_article_simple_history",
                args=[article.pk, history.history_id],
            ),
        ),
        ("delete", reverse("admin:articles_article_delete", args=[article.pk])),
        ("trash", reverse("admin:articles_article_deleted")),
        ("review", reverse("admin:articles_article_review", args=[reviewed.pk])),
        (
            "change under review",
            reverse("admin:articles_article_change", args=[reviewed.pk]),
        ),
        (
            "review of a draft",
            reverse("admin:articles_article_review", args=[article.pk]),
        ),
        ("import", reverse("admin:personnel_assignment_import")),
        ("person changelist", reverse("admin:personnel_person_changelist")),
        ("password change", reverse("admin:password_change")),
    ]


SUPERUSER_PAGES = [
    ("axes attempts", "admin:axes_accessattempt_changelist"),
    ("axes logs", "admin:axes_accesslog_changelist"),
    ("axes failures", "admin:axes_accessfailurelog_changelist"),
    ("users", "admin:auth_user_changelist"),
    ("user add", "admin:auth_user_add"),
    ("groups", "admin:auth_group_changelist"),
    ("group add", "admin:auth_group_add"),
    ("auth app", "admin:app_list"),
    ("site registry add", "admin:aidportal_siteregistry_add"),
    ("audit log", "admin:kernel_auditentry_changelist"),
]


def staff_client(role):
    client = Client()
    client.force_login(make_staff(role, username=f"{role}甲"))
    return client


@pytest.mark.parametrize(
    "role", [None, EDITOR, PUBLISHER], ids=["超级用户", "编辑", "发布"]
)
def test_admin_pages_speak_chinese_to_every_role(content, role):
    article = content
    client = Client()
    if role is None:
        client.force_login(User.objects.get(username="管理员"))
    else:
        client = staff_client(role)
    if role == EDITOR:
        # An editor may change and delete only drafts.
        article.status = Article.Status.DRAFT
        article.save()
    english = {}
    for label, url in admin_pages(article):
        response = client.get(url)
        assert response.status_code == 200, (label, url, response.status_code)
        if found := english_on(response.content.decode()):
            english[label] = found
    assert english == {}


def test_reporter_pages_speak_chinese(content):
    """Reporters read the public roster: its lists and read-only forms."""
    assignment = Assignment.objects.get()
    client = staff_client(REPORTER)
    english = {}
    for label, url in [
        ("index", reverse("admin:index")),
        ("app index", reverse("admin:app_list", args=["personnel"])),
        ("people", reverse("admin:personnel_person_changelist")),
        ("assignments", reverse("admin:personnel_assignment_changelist")),
        (
            "person",
            reverse("admin:personnel_person_change", args=[assignment.person_id]),
        ),
        (
            "assignment",
            reverse("admin:personnel_assignment_change", args=[assignment.pk]),
        ),
        ("password change", reverse("admin:password_change")),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        if found := english_on(response.content.decode()):
            english[label] = found
    assert english == {}


def test_superuser_only_pages_speak_chinese(content):
    client = Client()
    client.force_login(User.objects.get(username="管理员"))
    english = {}
    for label, name in SUPERUSER_PAGES:
        url = (
            reverse(name, args=["auth"]) if name == "admin:app_list" else reverse(name)
        )
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        if found := english_on(response.content.decode()):
            english[label] = found
    # The audit log filtered, and one entry of it (the login just made).
    entry = AuditEntry.objects.filter(action="login").latest("at")
    for label, url in [
        ("audit filtered", f"{reverse(SUPERUSER_PAGES[-1][1])}?action=login"),
        ("audit entry", reverse("admin:kernel_auditentry_change", args=[entry.pk])),
    ]:
        response = client.get(url)
        assert response.status_code == 200, (label, url)
        if found := english_on(response.content.decode()):
            english[label] = found
    assert english == {}


@pytest.mark.parametrize("role", [EDITOR, PUBLISHER], ids=["编辑", "发布"])
def test_login_throttling_screens_are_for_superusers_only(role):
    user = make_staff(role, username="员工甲")
    # Even a group given django-axes' permissions does not open its screens.
    user.groups.first().permissions.add(
        *Permission.objects.filter(content_type__app_label="axes")
    )
    client = Client()
    client.force_login(user)
    index = client.get(reverse("admin:index")).content.decode()
    assert "登录限制" not in index
    assert "/admin/axes/" not in index
    page = client.get(reverse("admin:axes_accessattempt_changelist"))
    assert page.status_code == 403
    assert client.get(reverse("admin:app_list", args=["axes"])).status_code == 404


def test_superusers_find_login_throttling_under_a_chinese_name(admin_client):
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert "登录限制" in index
    assert "登录尝试" in index


def test_the_history_shows_a_dash_for_no_change_reason(content, admin_client):
    page = admin_client.get(
        reverse("admin:articles_article_history", args=[content.pk])
    )
    cells = re.findall(r"<td>\s*(.*?)\s*</td>", page.content.decode(), re.S)
    assert "—" in cells
    assert "None" not in cells


def test_the_login_page_and_its_errors_speak_chinese(db):
    client = Client()
    url = reverse("admin:login")
    assert english_on(client.get(url).content.decode()) == []
    refused = client.post(url, {"username": "无此人", "password": "错误口令"})
    assert "请输入一个正确的" in refused.content.decode()
    assert english_on(refused.content.decode()) == []


def test_the_lockout_page_speaks_chinese(db, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    url = reverse("admin:login")
    for _ in range(3):
        locked = client.post(url, {"username": "无此人", "password": "错误口令"})
    assert locked.status_code == 429
    assert english_on(locked.content.decode()) == []


def test_form_errors_speak_chinese(content, login):
    client = login("editor")
    response = client.post(
        reverse("admin:articles_article_add"),
        article_post(channel=content.channel, title="", published_at_0="明天"),
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "这个字段是必填项。" in page
    assert english_on(page) == []


def test_the_history_shows_changed_values_in_chinese(admin_client):
    article = make_article(
        title="援疆教师上公开课",
        featured=False,
        subtitle="",
        status=Article.Status.DRAFT,
    )
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(
            article,
            featured=True,
            subtitle="副标题",
            status=Article.Status.PUBLISHED,
            expires_at_0="2031-07-01",
            expires_at_1="08:00:00",
        ),
    )
    page = admin_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    ).content.decode()
    changes = " ".join(
        " ".join(re.sub(r"<[^>]+>", " ", item).split())
        for item in re.findall(r"<li>(.*?)</li>", page, re.S)
    )
    assert "推荐： 否 → 是" in changes
    assert "副标题： — → 副标题" in changes
    assert "状态： 草稿 → 已发布" in changes
    assert "下线时间： — → 2031年7月1日 08:00" in changes
    for english in ("None", "True", "False", "draft", "published", "[]"):
        assert english not in changes


def test_permissions_are_named_in_chinese(admin_client):
    page = admin_client.get(reverse("admin:auth_group_add")).content.decode()
    assert "文章｜文章｜增加" in page
    assert "文章｜文章的历史记录｜查看" in page
    assert "文章｜文章｜可以发布、撤回、归档文章" in page
    assert "Can add" not in page
