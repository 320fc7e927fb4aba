"""The audit log: who did what to which row, when and from where; read by
superusers in the admin, changed by nobody, pruned after the retention
period."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel.audit import AuditAction, AuditEntry, record
from aidportal.kernel.audit_admin import AuditedDeletionsMixin, AuditEntryAdmin
from aidportal.kernel.management.commands import prune_audit_log
from articles.models import Article
from personnel.models import Person
from tests.builders import (
    PUBLISHER,
    article_post,
    database_snapshot,
    make_article,
    make_person,
    make_staff,
    posted_form,
    restore_form,
)

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:kernel_auditentry_changelist"
PASSWORD = "s3cret-口令-9271"


def entries(action):
    return list(AuditEntry.objects.filter(action=action).order_by("id"))


def make_entry(**fields):
    fields.setdefault("action", AuditAction.LOGIN)
    fields.setdefault("username", "zhangsan")
    fields.setdefault("address", "203.0.113.9")
    return AuditEntry.objects.create(**fields)


def change_url(entry):
    return reverse("admin:kernel_auditentry_change", args=[entry.pk])


def entry_values(entry):
    return AuditEntry.objects.filter(pk=entry.pk).values().get()


# The admin: superusers read, nobody writes


@pytest.fixture
def superuser(admin_client):
    """admin_client, without the entry of its own login."""
    AuditEntry.objects.all().delete()
    return admin_client


def test_superusers_read_the_log_with_its_columns(superuser, admin_user):
    article = make_article(title="要删的文章")
    record(
        AuditAction.DELETE,
        user=admin_user,
        obj=article,
        comment="重复稿件",
    )
    index = superuser.get(reverse("admin:index")).content.decode()
    assert reverse(CHANGELIST) in index
    response = superuser.get(reverse(CHANGELIST))
    assert response.status_code == 200
    page = response.content.decode()
    for text in ("admin", "删除", "文章", "要删的文章", "重复稿件"):
        assert text in page
    headers = [str(h["text"]) for h in response.context["result_headers"]]
    assert headers == ["时间", "用户名", "操作", "对象类型", "对象", "来源地址", "说明"]


@pytest.mark.parametrize("role", ["editor", "publisher", "reporter"])
def test_other_staff_neither_see_nor_open_the_log(login, role):
    client = login(role)
    # Even a group given the model's permissions does not open it.
    client.user.user_permissions.add(
        *Permission.objects.filter(content_type__model="auditentry")
    )
    entry = make_entry()
    assert (
        reverse(CHANGELIST) not in client.get(reverse("admin:index")).content.decode()
    )
    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.get(change_url(entry)).status_code == 403


def test_nobody_adds_an_entry(superuser):
    page = superuser.get(reverse(CHANGELIST)).content.decode()
    add = reverse("admin:kernel_auditentry_add")
    assert add not in page
    assert superuser.get(add).status_code == 403
    response = superuser.post(add, {"action": "login", "username": "伪造"})
    assert response.status_code == 403
    assert not AuditEntry.objects.exists()


def test_an_entry_is_shown_read_only(superuser):
    entry = make_entry(detail={"history_id": 12})
    response = superuser.get(change_url(entry))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is False
    assert response.context["has_delete_permission"] is False
    page = response.content.decode()
    assert 'name="_save"' not in page
    assert "deletelink" not in page
    assert "history_id" in page


def test_a_forged_change_or_delete_is_refused_and_changes_nothing(superuser):
    entry = make_entry()
    before = entry_values(entry)
    changed = superuser.post(
        change_url(entry), {"action": "logout", "username": "别人", "comment": "改"}
    )
    assert changed.status_code == 403
    delete = reverse("admin:kernel_auditentry_delete", args=[entry.pk])
    assert superuser.get(delete).status_code == 403
    assert superuser.post(delete, {"post": "yes"}).status_code == 403
    bulk = superuser.post(
        reverse(CHANGELIST),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert bulk.status_code in (200, 302)
    assert entry_values(entry) == before


def test_the_list_has_no_bulk_actions(superuser):
    make_entry()
    response = superuser.get(reverse(CHANGELIST))
    assert response.context["action_form"] is None
    assert "delete_selected" not in response.content.decode()


def test_the_list_filters_by_action_type_user_and_date(superuser, admin_user):
    other = make_staff(PUBLISHER, username="lisi")
    article = make_article()
    person = make_person()
    login_entry = make_entry(user=admin_user, username="admin")
    deletion = record(AuditAction.DELETE, user=other, obj=article)
    restore = record(AuditAction.RESTORE, user=other, obj=person)
    old = make_entry(at=timezone.now() - timedelta(days=400))

    def shown(**params):
        response = superuser.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {entry.pk for entry in response.context["cl"].result_list}

    assert shown(action="delete") == {deletion.pk}
    article_type = ContentType.objects.get_for_model(Article)
    assert shown(content_type__id__exact=article_type.pk) == {deletion.pk}
    assert shown(user__id__exact=other.pk) == {deletion.pk, restore.pk}
    # 400 days ago is always another year than today.
    assert shown(at__year=timezone.localtime(old.at).year) == {old.pk}
    assert shown(at__year=timezone.localtime().year) == {
        login_entry.pk,
        deletion.pk,
        restore.pk,
    }
    response = superuser.get(reverse(CHANGELIST))
    filters = {str(spec.title) for spec in response.context["cl"].filter_specs}
    assert filters == {"操作", "对象类型", "用户"}
    assert response.context["cl"].date_hierarchy == "at"


def test_the_list_searches_user_name_object_and_comment(superuser):
    article = make_article(title="阿克苏新闻")
    by_name = make_entry(username="wangwu")
    by_object = record(AuditAction.DELETE, obj=article, username="someone")
    by_comment = make_entry(username="x", comment="误删后恢复")

    def found(q):
        response = superuser.get(reverse(CHANGELIST), {"q": q})
        return {entry.pk for entry in response.context["cl"].result_list}

    assert found("wangwu") == {by_name.pk}
    assert found("阿克苏") == {by_object.pk}
    assert found("误删") == {by_comment.pk}


@pytest.mark.parametrize("rows", [1, 50])
def test_the_list_runs_a_fixed_number_of_queries(
    superuser, django_assert_num_queries, rows
):
    articles = [make_article() for _ in range(3)]
    users = [make_staff(PUBLISHER) for _ in range(2)]
    for number in range(rows):
        record(
            AuditAction.DELETE,
            user=users[number % 2],
            obj=articles[number % 3],
            comment=f"第{number}条",
        )
    superuser.get(reverse(CHANGELIST))  # the session, content types cached
    with django_assert_num_queries(QUERIES_OF_THE_LIST):
        response = superuser.get(reverse(CHANGELIST))
    assert len(response.context["cl"].result_list) == rows


# The session, the user, the related-only filters' content types and users,
# the count and the total, the page (its content types joined), the date
# hierarchy's range and its days.
QUERIES_OF_THE_LIST = 9


# Logins, logouts and failed logins


LOGIN_URL = "/admin/login/"


@pytest.fixture
def staff_member():
    return make_staff(PUBLISHER, username="zhaoliu", password=PASSWORD)


def test_a_login_is_recorded_with_who_and_from_where(staff_member):
    client = Client(REMOTE_ADDR="198.51.100.7")
    response = client.post(
        LOGIN_URL, {"username": "zhaoliu", "password": PASSWORD, "next": "/admin/"}
    )
    assert response.status_code == 302
    [entry] = entries(AuditAction.LOGIN)
    assert (entry.user, entry.username, entry.address) == (
        staff_member,
        "zhaoliu",
        "198.51.100.7",
    )


def test_behind_a_trusted_proxy_the_forwarded_client_is_recorded(
    staff_member, settings
):
    settings.TRUSTED_PROXY_COUNT = 1
    client = Client(
        REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.1, 203.0.113.50"
    )
    client.post(LOGIN_URL, {"username": "zhaoliu", "password": PASSWORD})
    [entry] = entries(AuditAction.LOGIN)
    # The proxy's own entry, not what the client wrote to its left.
    assert entry.address == "203.0.113.50"


def test_a_logout_is_recorded(staff_member):
    client = Client(REMOTE_ADDR="198.51.100.7")
    client.post(LOGIN_URL, {"username": "zhaoliu", "password": PASSWORD})
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200
    [entry] = entries(AuditAction.LOGOUT)
    assert (entry.user, entry.username, entry.address) == (
        staff_member,
        "zhaoliu",
        "198.51.100.7",
    )


def test_a_failed_login_keeps_the_name_typed_never_the_password(staff_member):
    client = Client(REMOTE_ADDR="198.51.100.8")
    response = client.post(LOGIN_URL, {"username": "zhaoliu", "password": "猜的口令"})
    assert response.status_code == 200
    client.post(LOGIN_URL, {"username": "nobody-here", "password": PASSWORD})
    failed = entries(AuditAction.LOGIN_FAILED)
    assert [(e.user, e.username, e.address) for e in failed] == [
        (None, "zhaoliu", "198.51.100.8"),
        (None, "nobody-here", "198.51.100.8"),
    ]
    for entry in failed:
        assert PASSWORD not in str(entry_values(entry))
        assert "猜的口令" not in str(entry_values(entry))
    assert not entries(AuditAction.LOGIN)


def test_a_locked_out_login_is_recorded_too(staff_member, settings):
    client = Client(REMOTE_ADDR="198.51.100.9")
    limit = settings.AXES_FAILURE_LIMIT
    for _ in range(limit):
        client.post(LOGIN_URL, {"username": "zhaoliu", "password": "wrong"})
    # Locked out now: even the right password is refused (django-axes).
    response = client.post(LOGIN_URL, {"username": "zhaoliu", "password": PASSWORD})
    assert response.status_code == 429
    failed = entries(AuditAction.LOGIN_FAILED)
    assert len(failed) == limit + 1
    assert failed[-1].username == "zhaoliu"
    assert failed[-1].detail == {"locked_out": True}
    assert failed[0].detail == {"locked_out": False}
    assert not entries(AuditAction.LOGIN)


# Reverts and restores


def version_url(obj, record):
    return reverse(
        "admin:articles_article_simple_history", args=[obj.pk, record.history_id]
    )


def test_a_revert_is_recorded_with_the_version(admin_user):
    client = Client(REMOTE_ADDR="198.51.100.20")
    client.force_login(admin_user)
    article = make_article(title="第一版标题")
    first = article.history.get()
    client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, title="第二版标题"),
    )
    version = client.get(version_url(article, first))
    response = client.post(version_url(article, first), posted_form(version, "images"))
    assert response.status_code == 302
    [entry] = entries(AuditAction.REVERT)
    assert (entry.user, entry.username, entry.address) == (
        admin_user,
        "admin",
        "198.51.100.20",
    )
    assert entry.content_type == ContentType.objects.get_for_model(Article)
    assert (entry.object_id, entry.object_repr) == (str(article.pk), "第一版标题")
    assert entry.detail == {"history_id": first.history_id}


def test_a_refused_revert_leaves_no_entry(login):
    article = make_article(title="第一版标题", status=Article.Status.PUBLISHED)
    first = article.history.get()
    editor = login("editor")
    version = editor.get(version_url(article, first))
    data = posted_form(version, "images") if version.status_code == 200 else {}
    response = editor.post(
        version_url(article, first), {**article_post(article), **data}
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.REVERT).exists()


def test_a_revert_shown_again_as_stale_leaves_no_entry(admin_client):
    article = make_article(title="第一版标题")
    first = article.history.get()
    version = admin_client.get(version_url(article, first))
    form = posted_form(version, "images")
    # Someone saves the row meanwhile: the revert form is out of date.
    admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, title="别人改的标题"),
    )
    response = admin_client.post(version_url(article, first), form)
    assert response.status_code == 200
    assert not entries(AuditAction.REVERT)


def trash(admin):
    return reverse(f"admin:{admin}_deleted")


def test_a_restore_is_recorded(admin_user):
    client = Client(REMOTE_ADDR="198.51.100.21")
    client.force_login(admin_user)
    person = make_person(name="季成")
    client.post(
        reverse("admin:personnel_person_delete", args=[person.pk]), {"post": "yes"}
    )
    form = restore_form(Person, person.pk)
    response = client.post(trash("personnel_person"), form)
    assert response.status_code == 302
    [entry] = entries(AuditAction.RESTORE)
    assert (entry.user, entry.address, entry.object_id, entry.object_repr) == (
        admin_user,
        "198.51.100.21",
        str(person.pk),
        "季成",
    )
    assert entry.detail == {"history_id": form["version"]}


def test_a_stale_restore_leaves_no_entry(admin_client):
    article = make_article()
    admin_client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    form = restore_form(Article, article.pk)
    assert admin_client.post(trash("articles_article"), form).status_code == 302
    admin_client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    before = database_snapshot()
    count = AuditEntry.objects.count()
    refused = admin_client.post(trash("articles_article"), form)
    assert refused["Location"] == trash("articles_article")
    assert AuditEntry.objects.count() == count
    assert database_snapshot() == before


# Deletions


def test_a_deletion_from_the_change_form_is_recorded(admin_user):
    client = Client(REMOTE_ADDR="198.51.100.22")
    client.force_login(admin_user)
    article = make_article(title="删掉的文章")
    response = client.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    [entry] = entries(AuditAction.DELETE)
    assert (entry.user, entry.address, entry.object_id, entry.object_repr) == (
        admin_user,
        "198.51.100.22",
        str(article.pk),
        "删掉的文章",
    )


def test_a_bulk_deletion_is_one_entry_per_row(admin_client):
    people = [make_person(name=name) for name in ("甲一", "乙二", "丙三")]
    response = admin_client.post(
        reverse("admin:personnel_person_changelist"),
        {
            "action": "delete_selected",
            "_selected_action": [p.pk for p in people[:2]],
            "post": "yes",
        },
    )
    assert response.status_code == 302
    assert {(e.object_id, e.object_repr) for e in entries(AuditAction.DELETE)} == {
        (str(people[0].pk), "甲一"),
        (str(people[1].pk), "乙二"),
    }


def test_a_refused_deletion_leaves_no_entry(login):
    article = make_article()  # live: an editor may not delete it
    response = login("editor").post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 403
    assert not AuditEntry.objects.filter(action=AuditAction.DELETE).exists()


def test_a_deletion_that_fails_leaves_no_entry(admin_user, monkeypatch):
    articles = [make_article() for _ in range(2)]
    request = RequestFactory().post("/")
    request.user = admin_user

    def failing(self, request, queryset):
        raise IntegrityError("refused by the database")

    monkeypatch.setattr(admin.ModelAdmin, "delete_queryset", failing)
    article_admin = admin.site._registry[Article]
    with pytest.raises(IntegrityError):
        article_admin.delete_queryset(request, Article.objects.all())
    assert Article.objects.count() == len(articles)
    assert not AuditEntry.objects.exists()


def test_every_admin_records_its_deletions():
    unaudited = [
        type(model_admin).__name__
        for model_admin in admin.site._registry.values()
        if not isinstance(model_admin, AuditedDeletionsMixin | AuditEntryAdmin)
    ]
    assert unaudited == []


def test_a_user_deleted_by_a_superuser_is_recorded(admin_client):
    user = User.objects.create_user("gone", is_staff=True)
    admin_client.post(
        reverse("admin:auth_user_delete", args=[user.pk]), {"post": "yes"}
    )
    [entry] = entries(AuditAction.DELETE)
    assert (entry.object_id, entry.object_repr) == (str(user.pk), "gone")
    assert LogEntry.objects.filter(object_id=str(user.pk)).exists()


# Pruning


def prune(*args):
    out = StringIO()
    call_command("prune_audit_log", *args, stdout=out)
    return out.getvalue()


def aged(days):
    return make_entry(at=timezone.now() - timedelta(days=days))


def test_prune_deletes_what_is_older_than_the_retention_period(settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 180
    kept = [aged(0), aged(179)]
    for days in (181, 400, 1000):
        aged(days)
    output = prune()
    assert "已删除 3 条" in output
    assert set(AuditEntry.objects.values_list("pk", flat=True)) == {e.pk for e in kept}


def test_prune_takes_the_period_from_days(settings):
    settings.AUDIT_LOG_RETENTION_DAYS = 180
    young, old = aged(5), aged(40)
    assert "已删除 1 条" in prune("--days", "30")
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [young.pk]
    assert not AuditEntry.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize("days", ["0", "-5"])
def test_prune_refuses_a_period_under_one_day(days):
    aged(10)
    with pytest.raises(CommandError, match="至少为 1 天"):
        prune("--days", days)
    assert AuditEntry.objects.count() == 1


def test_prune_dry_run_counts_and_deletes_nothing():
    aged(200), aged(300), aged(1)
    output = prune("--dry-run")
    assert "2 条" in output and "未删除" in output
    assert AuditEntry.objects.count() == 3


def test_prune_deletes_in_batches(monkeypatch, django_assert_max_num_queries):
    monkeypatch.setattr(prune_audit_log, "BATCH", 2)
    for _ in range(5):
        aged(365)
    kept = aged(1)
    deletes = []
    real_delete = AuditEntry.objects.filter(pk__in=[]).delete.__func__

    def counting(queryset):
        deletes.append(queryset.count())
        return real_delete(queryset)

    monkeypatch.setattr(type(AuditEntry.objects.all()), "delete", counting)
    assert "已删除 5 条" in prune()
    assert deletes == [2, 2, 1]
    assert list(AuditEntry.objects.values_list("pk", flat=True)) == [kept.pk]
