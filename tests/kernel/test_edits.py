"""No lost edits: a form built from an out-of-date version of its row is
refused (every content model's change form, the history's revert form, the
trash's restore) with who changed what when, and staff opening a change form
learn who else has it open."""

import json
import re
from contextlib import contextmanager
from datetime import timedelta
from html import unescape

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import User
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel import edits
from aidportal.kernel.publishing import content_models
from aidportal.models import SiteRegistry
from articles.models import Article, Channel
from personnel.models import Assignment, Batch, Person, Unit
from projects.models import Project
from tests.builders import (
    PUBLISHER,
    REPORTER,
    article_post,
    database_snapshot,
    form_errors,
    make_article,
    make_article_image,
    make_assignment,
    make_batch,
    make_channel,
    make_person,
    make_project,
    make_staff,
    make_unit,
    posted_form,
)

pytestmark = pytest.mark.django_db

# Tomorrow 10:05 (settings.TIME_ZONE): after whatever a test does at the time
# it runs, and within a login session.
MOMENT = timezone.localtime().replace(hour=10, minute=5, second=0, microsecond=0)
MOMENT += timedelta(days=1)
AT_MOMENT = f"{MOMENT.year}年{MOMENT.month}月{MOMENT.day}日 10:05"
KEEP = "你填写的内容仍在下方；核对后再次保存将覆盖对方的修改。"
VERSION_INPUT = re.compile(r'<input type="hidden" name="edit_version" value="([^"]*)"')
RESTORE_INPUT = re.compile(r'<input type="hidden" name="version" value="([^"]*)"')


@contextmanager
def clock_at(moment):
    """What is saved or opened inside happens at ``moment``."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: moment)
        yield


def staff_client(username, family, given, role=PUBLISHER):
    client = Client()
    client.user = make_staff(
        role, username=username, last_name=family, first_name=given
    )
    client.force_login(client.user)
    return client


@pytest.fixture
def zhang():
    return staff_client("zhangsan", "张", "三")


@pytest.fixture
def li():
    return staff_client("lisi", "李", "四")


def change_url(obj):
    opts = obj._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])


def version_on(page):
    """The version the page's form carries (one hidden input)."""
    tokens = VERSION_INPUT.findall(page.content.decode())
    assert len(tokens) == 1, tokens
    return unescape(tokens[0])


def refusal(page):
    assert page.status_code == 200
    return form_errors(page)["__all__"]


def warnings_on(page):
    return [str(m) for m in page.context["messages"] if m.level_tag == "warning"]


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Two change forms saved in turn


def test_the_second_of_two_article_forms_saved_in_turn_is_refused(zhang, li):
    article = make_article(title="原来的标题", summary="原来的摘要")
    url = change_url(article)
    zhang_form = posted_form(zhang.get(url), "images")
    li_form = {**posted_form(li.get(url), "images"), "summary": "李四写的摘要"}

    with clock_at(MOMENT):
        saved = zhang.post(
            url,
            {**zhang_form, "title": "张三改的标题", "body": "<p>张三改的正文。</p>"},
        )
    assert saved.status_code == 302, form_errors(saved)
    before = database_snapshot()
    refused = li.post(url, li_form)

    assert refusal(refused) == [
        f"保存未成功：张三于{AT_MOMENT}修改了这条记录（正文、标题）。{KEEP}"
    ]
    assert "李四写的摘要" in refused.content.decode()
    assert database_snapshot() == before
    article.refresh_from_db()
    assert (article.title, article.summary) == ("张三改的标题", "原来的摘要")
    # The version field is no change of its own in the admin log.
    [entry] = json.loads(LogEntry.objects.get(user=zhang.user).change_message)
    assert {"标题", "正文"} <= set(entry["changed"]["fields"])
    assert "edit_version" not in entry["changed"]["fields"]

    # Shown again, the form carries the version now stored: saving it again
    # overwrites on purpose.
    again = li.post(url, {**li_form, "edit_version": version_on(refused)})
    assert again.status_code == 302, form_errors(again)
    article.refresh_from_db()
    assert (article.title, article.summary) == ("原来的标题", "李四写的摘要")


def change_assignment_in_its_own_form(client, person):
    assignment = person.assignments.get()
    page = client.get(change_url(assignment))
    return client.post(
        change_url(assignment), {**posted_form(page), "position": "副校长"}
    )


def change_gallery_in_the_article_form(client, article):
    return client.post(
        change_url(article), article_post(article, **{"images-0-caption": "新说明"})
    )


INLINE_ONLY = {
    "person's assignments": (
        lambda: make_assignment(position="校长").person,
        "assignments",
        change_assignment_in_its_own_form,
        "援疆任职",
    ),
    "article's gallery": (
        lambda: make_article_image(make_article()).article,
        "images",
        change_gallery_in_the_article_form,
        "组图",
    ),
}


@pytest.mark.parametrize("case", INLINE_ONLY)
def test_a_form_is_out_of_date_when_only_an_inline_row_changed(zhang, li, case):
    make, prefix, change, label = INLINE_ONLY[case]
    obj = make()
    zhang_form = posted_form(zhang.get(change_url(obj)), prefix)
    with clock_at(MOMENT):
        assert change(li, obj).status_code == 302
    before = database_snapshot()
    field = "bio" if isinstance(obj, Person) else "subtitle"

    refused = zhang.post(change_url(obj), {**zhang_form, field: "张三写的内容"})

    assert refusal(refused) == [
        f"保存未成功：李四于{AT_MOMENT}修改了这条记录（{label}）。{KEEP}"
    ]
    assert "张三写的内容" in refused.content.decode()
    assert database_snapshot() == before


# Every content model's change form: (build a row, inline prefixes, the field
# a colleague changes meanwhile).
CONTENT_FORMS = {
    Channel: (make_channel, (), "name"),
    Article: (make_article, ("images",), "title"),
    Project: (make_project, ("images",), "name"),
    Unit: (make_unit, (), "short_name"),
    Batch: (make_batch, ("terms",), "label"),
    Person: (make_person, ("assignments",), "bio"),
    Assignment: (make_assignment, (), "position"),
}


def make_site_registry():
    return SiteRegistry.objects.create(sponsor="原来的主办单位")


# Content models whose change form only superusers open (the same check).
SUPERUSER_FORMS = {SiteRegistry: (make_site_registry, (), "sponsor")}


def test_every_content_model_with_a_change_form_is_checked_below():
    edited = {model for model in content_models() if admin.site.is_registered(model)}
    assert edited == set(CONTENT_FORMS) | set(SUPERUSER_FORMS)


@pytest.mark.parametrize("model", CONTENT_FORMS, ids=lambda model: model.__name__)
def test_every_change_form_carries_its_version_and_is_refused_when_stale(
    zhang, li, model
):
    stale_form_is_refused(zhang, li, model, *CONTENT_FORMS[model])


@pytest.mark.parametrize("model", SUPERUSER_FORMS, ids=lambda model: model.__name__)
def test_superusers_change_forms_carry_their_version_too(model):
    zhang = superuser_client("zhangsan", "张", "三")
    li = superuser_client("lisi", "李", "四")
    stale_form_is_refused(zhang, li, model, *SUPERUSER_FORMS[model])


def superuser_client(username, family, given):
    client = Client()
    client.user = User.objects.create_superuser(
        username, last_name=family, first_name=given
    )
    client.force_login(client.user)
    return client


def stale_form_is_refused(zhang, li, model, make, prefixes, field):
    obj = make()
    url = change_url(obj)
    zhang_page = zhang.get(url)
    assert version_on(zhang_page) == admin.site.get_model_admin(
        model
    ).edited_row().token(obj.pk)
    li_page = li.get(url)
    with clock_at(MOMENT):
        saved = li.post(url, {**posted_form(li_page, *prefixes), field: "李四改的"})
    assert saved.status_code == 302, form_errors(saved)
    before = database_snapshot()

    refused = zhang.post(url, posted_form(zhang_page, *prefixes))

    label = model._meta.get_field(field).verbose_name
    assert refusal(refused) == [
        f"保存未成功：李四于{AT_MOMENT}修改了这条记录（{label}）。{KEEP}"
    ]
    assert database_snapshot() == before
    obj.refresh_from_db()
    assert getattr(obj, field) == "李四改的"


def test_a_change_that_left_no_history_still_makes_a_form_out_of_date(zhang):
    article = make_article(title="原来的标题")
    form = posted_form(zhang.get(change_url(article)), "images")
    Article.objects.filter(pk=article.pk).update(title="没有留下历史的标题")
    before = database_snapshot()

    refused = zhang.post(change_url(article), {**form, "summary": "张三写的摘要"})

    assert refusal(refused) == [
        f"保存未成功：这条记录在你打开后已被修改（标题）。{KEEP}"
    ]
    assert database_snapshot() == before


@pytest.mark.parametrize("token", ["", "不是版本"], ids=["missing", "garbled"])
def test_a_form_without_a_version_is_refused(zhang, token):
    article = make_article()
    before = database_snapshot()
    data = {**article_post(article, title="张三改的标题"), "edit_version": token}

    refused = zhang.post(change_url(article), data)

    assert refusal(refused) == [edits.UNVERSIONED_FORM_MESSAGE]
    assert database_snapshot() == before
    again = zhang.post(
        change_url(article), {**data, "edit_version": version_on(refused)}
    )
    assert again.status_code == 302


# The history's revert form


def test_a_revert_form_out_of_date_is_refused(zhang, li):
    article = make_article(title="第一版标题")
    first = article.history.get()
    version_url = reverse(
        "admin:articles_article_simple_history", args=[article.pk, first.history_id]
    )
    revert_form = posted_form(zhang.get(version_url), "images")
    li_form = posted_form(li.get(change_url(article)), "images")
    with clock_at(MOMENT):
        saved = li.post(change_url(article), {**li_form, "title": "李四改的标题"})
    assert saved.status_code == 302
    before = database_snapshot()

    refused = zhang.post(version_url, revert_form)

    assert refusal(refused) == [
        f"保存未成功：李四于{AT_MOMENT}修改了这条记录（标题）。{KEEP}"
    ]
    assert database_snapshot() == before
    again = zhang.post(
        version_url, {**revert_form, "edit_version": version_on(refused)}
    )
    assert again.status_code == 302
    article.refresh_from_db()
    assert article.title == "第一版标题"


# The trash's restore


def trash_url():
    return reverse("admin:articles_article_deleted")


def restore_form_on(trash):
    """The restore form of the trash page's only row, as posted."""
    [version] = RESTORE_INPUT.findall(trash.content.decode())
    [record] = trash.context["records"]
    return {"pk": record.id, "version": version}


def delete(client, article):
    response = client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302


def test_a_restore_out_of_date_is_refused_when_someone_restored_the_row(zhang, li):
    article = make_article(title="删掉的文章")
    delete(zhang, article)
    zhang_form = restore_form_on(zhang.get(trash_url()))
    li_form = restore_form_on(li.get(trash_url()))
    with clock_at(MOMENT):
        assert li.post(trash_url(), li_form).status_code == 302
    before = database_snapshot()

    refused = zhang.post(trash_url(), zhang_form)

    assert refused.status_code == 302
    assert refused["Location"] == trash_url()
    assert messages_of(refused) == [
        f"恢复未成功：李四于{AT_MOMENT}恢复了这条记录。请按回收站现在的内容核对后再操作。"
    ]
    assert database_snapshot() == before


def test_a_restore_out_of_date_is_refused_when_the_row_was_deleted_again(zhang, li):
    article = make_article(title="删掉的文章")
    delete(zhang, article)
    zhang_form = restore_form_on(zhang.get(trash_url()))
    # Meanwhile restored, retitled and deleted again.
    assert li.post(trash_url(), restore_form_on(li.get(trash_url()))).status_code
    retitle = li.post(
        change_url(article),
        {**posted_form(li.get(change_url(article)), "images"), "title": "改过的标题"},
    )
    assert retitle.status_code == 302
    with clock_at(MOMENT):
        delete(li, article)
    before = database_snapshot()

    refused = zhang.post(trash_url(), zhang_form)

    assert messages_of(refused) == [
        f"恢复未成功：李四于{AT_MOMENT}删除了这条记录（标题）。请按回收站现在的内容核对后再操作。"
    ]
    assert database_snapshot() == before
    # The trash now offers the row as last deleted.
    restored = zhang.post(trash_url(), restore_form_on(zhang.get(trash_url())))
    assert restored["Location"] == change_url(article)
    assert Article.objects.get(pk=article.pk).title == "改过的标题"


# Who else has the form open


def test_opening_a_form_another_has_open_names_them_and_since_when(zhang, li):
    article = make_article()
    url = change_url(article)
    with clock_at(MOMENT - timedelta(minutes=3)):
        assert warnings_on(zhang.get(url)) == []
    with clock_at(MOMENT):
        assert warnings_on(li.get(url)) == ["张三自10:02起也在编辑这条记录。"]
    with clock_at(MOMENT + timedelta(minutes=1)):
        assert warnings_on(zhang.get(url)) == ["李四自10:05起也在编辑这条记录。"]
    # Another row's form is another matter.
    assert warnings_on(li.get(change_url(make_article()))) == []


def test_whoever_saved_and_left_or_opened_long_ago_is_not_named(zhang, li):
    article = make_article()
    url = change_url(article)
    with clock_at(MOMENT):
        saved = zhang.post(url, posted_form(zhang.get(url), "images"))
    assert saved.status_code == 302
    assert warnings_on(li.get(url)) == []

    other = change_url(make_article())
    with clock_at(MOMENT):
        zhang.get(other)
    later = MOMENT + timedelta(seconds=settings.ADMIN_EDITING_SECONDS + 1)
    with clock_at(later):
        assert warnings_on(li.get(other)) == []


def test_who_only_reads_a_form_is_not_named(zhang):
    person = make_person()
    reporter = staff_client("jizhe", "王", "五", role=REPORTER)
    assert reporter.get(change_url(person)).status_code == 200
    assert warnings_on(zhang.get(change_url(person))) == []


class DeadCache:
    def get(self, *args, **kwargs):
        raise ConnectionError("the cache is down")

    set = get


def test_without_a_cache_a_form_opens_without_the_notice(zhang, li, monkeypatch):
    article = make_article()
    monkeypatch.setattr(edits, "cache", DeadCache())
    assert zhang.get(change_url(article)).status_code == 200
    page = li.get(change_url(article))
    assert page.status_code == 200
    assert warnings_on(page) == []
