"""Who changed what, going back to an earlier version, and the trash page
that restores deleted content with its relations."""

from datetime import UTC, datetime

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from aidportal.kernel.search import searchable_models
from articles.models import Article, ArticleImage
from personnel.models import Assignment, Person, Unit
from projects.models import Project, ProjectImage
from tests.builders import (
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
    make_project_image,
    make_unit,
    person_post,
    posted_form,
    project_post,
    restore_form,
)

pytestmark = pytest.mark.django_db


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


# Who changed what

EDITS = {
    "article": (
        lambda: make_article(status=Article.Status.DRAFT),
        article_post,
        "articles_article",
        {"title": "改过的标题", "summary": "改过的摘要"},
        {"标题", "摘要"},
    ),
    "project": (
        lambda: make_project(status=Project.Status.DRAFT),
        project_post,
        "projects_project",
        {"name": "改过的项目名称", "location": "温宿县"},
        {"项目名称", "地点"},
    ),
    "person": (
        lambda: make_assignment(is_public=False).person,
        person_post,
        "personnel_person",
        {"name": "改过的姓名", "bio": "心内科专家。"},
        {"姓名", "简介"},
    ),
}


@pytest.mark.parametrize("kind", EDITS)
def test_an_admin_edit_records_who_changed_which_fields(login, kind):
    make, post, admin, changes, labels = EDITS[kind]
    obj = make()
    client = login("editor")
    editor = client.user
    response = client.post(
        reverse(f"admin:{admin}_change", args=[obj.pk]), post(obj, **changes)
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    latest = obj.history.first()
    assert (latest.history_type, latest.history_user) == ("~", editor)
    for field, value in changes.items():
        assert getattr(latest, field) == value

    page = client.get(reverse(f"admin:{admin}_history", args=[obj.pk]))
    assert page.status_code == 200
    newest = page.context["page_obj"][0]
    listed = {change["field"] for change in newest.history_delta_changes}
    assert labels <= listed
    html = page.content.decode()
    assert editor.username in html
    for label in labels:
        assert f"<strong>{label}：</strong>" in html
    for value in changes.values():
        assert value in html


# Reverting to an earlier version


def version_url(article, record):
    return reverse(
        "admin:articles_article_simple_history", args=[article.pk, record.history_id]
    )


def test_reverting_an_article_to_its_first_version(admin_client, admin_user):
    article = make_article(title="第一版标题", body="<p>第一版正文。</p>")
    first = article.history.get()
    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, title="第二版标题", body="<p>第二版正文。</p>"),
    )
    assert response.status_code == 302
    article.refresh_from_db()
    assert article.title == "第二版标题"

    history = admin_client.get(
        reverse("admin:articles_article_history", args=[article.pk])
    )
    assert version_url(article, first) in history.content.decode()
    version = admin_client.get(version_url(article, first))
    assert version.status_code == 200
    assert "第一版标题" in version.content.decode()
    response = admin_client.post(
        version_url(article, first), posted_form(version, "images")
    )
    assert response.status_code == 302, response.context["adminform"].form.errors

    article.refresh_from_db()
    assert (article.title, article.body) == ("第一版标题", "<p>第一版正文。</p>")
    assert article.status == Article.Status.PUBLISHED
    latest = article.history.first()
    assert (latest.title, latest.history_user) == ("第一版标题", admin_user)


@pytest.mark.parametrize(
    "first_status", [Article.Status.PUBLISHED, Article.Status.DRAFT]
)
def test_an_editor_cannot_revert_a_live_article(client, login, first_status):
    # Written as a draft or already published, then published and retitled by
    # a publisher: the editor may look at the old version, not bring it back.
    article = make_article(title="第一版标题", status=first_status)
    first = article.history.get()
    publisher = login("publisher")
    response = publisher.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, title="第二版标题", status=Article.Status.PUBLISHED),
    )
    assert response.status_code == 302
    client.logout()

    editor = login("editor")
    version = editor.get(version_url(article, first))
    data = posted_form(version, "images") if version.status_code == 200 else {}
    data = {**article_post(article), **data, "title": "第一版标题"}
    before = database_snapshot()
    response = editor.post(version_url(article, first), data)
    article.refresh_from_db()
    assert (article.title, article.status) == ("第二版标题", Article.Status.PUBLISHED)
    assert response.status_code == 403
    assert database_snapshot() == before


def test_an_editor_reverting_a_withdrawn_article_to_a_published_version_keeps_it(
    client, login
):
    # Published once, then withdrawn by a publisher: the editor may revert
    # the text, but the old version's status needs the publish transition.
    article = make_article(title="第一版标题", status=Article.Status.PUBLISHED)
    first = article.history.get()
    publisher = login("publisher")
    response = publisher.post(
        reverse("admin:articles_article_changelist"),
        {"action": "withdraw", "_selected_action": [article.pk]},
    )
    assert response.status_code == 302
    Article.objects.filter(pk=article.pk).update(title="第二版标题")
    client.logout()

    editor = login("editor")
    version = editor.get(version_url(article, first))
    assert version.status_code == 200
    response = editor.post(version_url(article, first), posted_form(version, "images"))
    assert response.status_code in (302, 403)
    article.refresh_from_db()
    assert article.status == Article.Status.WITHDRAWN
    assert not Article.objects.published().filter(pk=article.pk).exists()


VIEW_ONLY = {
    # role, admin, the row, its form with one field rewritten, the field,
    # and what the history form answers to a GET and a POST. Reporters get
    # no history of the roster at all: earlier versions hold what the
    # public roster does not (a person hidden then, a unit since left).
    "reporter-person": (
        "reporter",
        "personnel_person",
        lambda: make_person(name="季 成", bio="第一版简介。"),
        lambda person: person_post(person, bio="改写的内容"),
        "bio",
        (404, 404),
    ),
    "reporter-unit": (
        "reporter",
        "personnel_unit",
        # A unit of the public roster: reporters see no other.
        lambda: make_assignment(sending_unit=make_unit("杭州市第二中学")).sending_unit,
        lambda unit: {"name": "改写的内容", "kind": unit.kind},
        "name",
        (404, 404),
    ),
    "editor-channel": (
        "editor",
        "articles_channel",
        lambda: make_channel(name="援疆动态"),
        lambda channel: {
            "name": "改写的内容",
            "slug": channel.slug,
            "position": channel.position,
            "in_navigation": "on",
        },
        "name",
        (200, 403),
    ),
}


@pytest.mark.parametrize("case", VIEW_ONLY)
def test_who_may_only_view_cannot_change_through_the_history_form(login, case):
    role, admin, make, form, field, (on_get, on_post) = VIEW_ONLY[case]
    obj = make()
    first = obj.history.get()
    url = reverse(f"admin:{admin}_simple_history", args=[obj.pk, first.history_id])
    client = login(role)
    assert client.get(url).status_code == on_get
    before = database_snapshot()
    response = client.post(url, form(obj))
    obj.refresh_from_db()
    assert getattr(obj, field) != "改写的内容"
    assert response.status_code == on_post
    assert database_snapshot() == before


# Deleting and restoring


def row(obj):
    """The stored values of a row but its timestamps: restoring is a change
    (updated_at), and created_at has a test of its own."""
    values = type(obj).objects.filter(pk=obj.pk).values().get()
    values.pop("updated_at", None)
    values.pop("created_at", None)
    return values


def differences(after, before):
    """{key: (before, after)} of what differs, the stored row field by field."""
    changed = {
        f"row.{name}": (value, after["row"].get(name))
        for name, value in before["row"].items()
        if after["row"].get(name) != value
    }
    for key, value in before.items():
        if key != "row" and after[key] != value:
            changed[key] = (value, after[key])
    return changed


def ids(queryset):
    return sorted(queryset.values_list("pk", flat=True))


def children(queryset):
    return list(queryset.order_by("pk").values())


def article_state(article):
    return {
        "row": row(article),
        "images": children(ArticleImage.objects.filter(article=article)),
        "projects": ids(article.projects.all()),
        "people": ids(article.people.all()),
        "projects' articles": [ids(p.articles.all()) for p in article.projects.all()],
        "people's articles": [ids(p.articles.all()) for p in article.people.all()],
    }


def project_state(project):
    return {
        "row": row(project),
        "images": children(ProjectImage.objects.filter(project=project)),
        "people": ids(project.people.all()),
        "articles": ids(project.articles.all()),
        "people's projects": [ids(p.projects.all()) for p in project.people.all()],
    }


def person_state(person):
    return {
        "row": row(person),
        "assignments": children(Assignment.objects.filter(person=person)),
        "articles": ids(person.articles.all()),
        "projects": ids(person.projects.all()),
    }


LONG_AGO = datetime(2021, 7, 1, 8, 0, tzinfo=UTC)


def written_long_ago(obj):
    """The row as if created in 2021 (created_at is set on insert)."""
    type(obj).objects.filter(pk=obj.pk).update(created_at=LONG_AGO)
    obj.refresh_from_db()
    return obj


def linked_article():
    article = make_article(title="援疆医生带教记", subtitle="副标题", featured=True)
    make_article_image(article, caption="第一张", position=1)
    make_article_image(article, caption="第二张", position=2, decorative=True)
    article.projects.set([make_project(), make_project()])
    article.people.set([make_person(), make_person()])
    return written_long_ago(article)


def linked_project():
    project = make_project(name="阿克苏市人民医院门诊楼", location="阿克苏市")
    make_project_image(project)
    project.people.set([make_person(), make_person()])
    for article in (make_article(), make_article()):
        article.projects.add(project)
    return written_long_ago(project)


def linked_person():
    first = make_assignment(name="季 成", batch=make_batch(9), position="副院长")
    person = first.person
    make_assignment(person, batch=make_batch(10), position="院长")
    make_article().people.add(person)
    make_project().people.add(person)
    return written_long_ago(person)


RESTORE = {
    "article": (Article, "articles_article", linked_article, article_state),
    "project": (Project, "projects_project", linked_project, project_state),
    "person": (Person, "personnel_person", linked_person, person_state),
}


def trash_url(admin):
    return reverse(f"admin:{admin}_deleted")


@pytest.mark.parametrize("kind", RESTORE)
def test_restoring_from_the_trash_brings_back_fields_and_relations(admin_client, kind):
    model, admin, make, state = RESTORE[kind]
    obj = make()
    before = state(obj)
    response = admin_client.post(
        reverse(f"admin:{admin}_delete", args=[obj.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    assert not model.objects.filter(pk=obj.pk).exists()

    trash = admin_client.get(trash_url(admin))
    assert trash.status_code == 200
    assert [record.id for record in trash.context["records"]] == [obj.pk]
    assert str(obj) in trash.content.decode()

    response = admin_client.post(trash_url(admin), restore_form(model, obj.pk))
    assert response.status_code == 302
    assert response["Location"] == reverse(f"admin:{admin}_change", args=[obj.pk])
    assert differences(state(model.objects.get(pk=obj.pk)), before) == {}
    assert admin_client.get(trash_url(admin)).context["records"] == []


@pytest.mark.parametrize("kind", RESTORE)
def test_restoring_from_the_trash_keeps_the_creation_time(admin_client, kind):
    model, admin, make, _ = RESTORE[kind]
    obj = make()
    assert obj.created_at == LONG_AGO
    admin_client.post(reverse(f"admin:{admin}_delete", args=[obj.pk]), {"post": "yes"})
    response = admin_client.post(trash_url(admin), restore_form(model, obj.pk))
    assert response.status_code == 302
    assert model.objects.get(pk=obj.pk).created_at == LONG_AGO


def test_an_editor_restores_a_deleted_live_article_as_a_draft(client, login):
    article = linked_article()
    before = article_state(article)
    publisher = login("publisher")
    response = publisher.post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    assert response.status_code == 302
    client.logout()

    editor = login("editor")
    assert editor.get(trash_url("articles_article")).status_code == 200
    response = editor.post(
        trash_url("articles_article"), restore_form(Article, article.pk)
    )
    assert response.status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert restored.status == Article.Status.DRAFT
    after = article_state(restored)
    assert after["row"].pop("status") == Article.Status.DRAFT
    assert before["row"].pop("status") == Article.Status.PUBLISHED
    assert differences(after, before) == {}


def test_an_editor_restores_a_deleted_public_person_hidden(client, login):
    person = linked_person()
    before = person_state(person)
    publisher = login("publisher")
    publisher.post(
        reverse("admin:personnel_person_delete", args=[person.pk]), {"post": "yes"}
    )
    client.logout()

    editor = login("editor")
    response = editor.post(
        trash_url("personnel_person"), restore_form(Person, person.pk)
    )
    assert response.status_code == 302
    after = person_state(Person.objects.get(pk=person.pk))
    assert after["row"].pop("is_public") is False
    assert before["row"].pop("is_public") is True
    assert after["row"].pop("status") == Person.Status.DRAFT
    assert before["row"].pop("status") == Person.Status.PUBLISHED
    assert differences(after, before) == {}


@pytest.mark.parametrize("which", ["unknown", "not-deleted", "not-a-number"])
def test_restoring_what_is_not_in_the_trash_is_an_error(admin_client, which):
    article = make_article()
    pk = {"unknown": article.pk + 100, "not-deleted": article.pk}.get(which, "abc")
    before = database_snapshot()
    response = admin_client.post(trash_url("articles_article"), {"pk": pk})
    assert response.status_code == 302
    assert response["Location"] == trash_url("articles_article")
    assert messages_of(response) == ["没有找到这条已删除的记录。"]
    assert database_snapshot() == before


@pytest.mark.parametrize(
    "admin", ["articles_article", "projects_project", "personnel_person"]
)
def test_the_trash_is_refused_to_reporters(login, admin):
    person = make_person()
    Person.objects.filter(pk=person.pk).delete()
    client = login("reporter")
    before = database_snapshot()
    assert client.get(trash_url(admin)).status_code == 403
    response = client.post(trash_url(admin), {"pk": person.pk})
    assert response.status_code == 403
    assert database_snapshot() == before


# What history keeps of searchable rows

SEARCHABLE = [Article, Project, Person, Unit, Assignment]


def test_every_searchable_model_is_checked_below():
    assert set(searchable_models()) == set(SEARCHABLE)


@pytest.mark.parametrize("model", SEARCHABLE, ids=lambda model: model.__name__)
def test_history_keeps_what_staff_wrote_not_what_is_derived(model):
    recorded = {field.name for field in model.history.model._meta.fields}
    derived = set(model.search_fields())
    assert {"search_text", "search_grams"} <= derived
    assert not recorded & derived
    # Only what is derived is left out.
    written = {field.name for field in model._meta.concrete_fields} - derived
    assert written <= recorded


def test_reverting_a_rename_derives_the_person_and_their_assignments_again(
    admin_client,
):
    assignment = make_assignment(name="季成")
    person = assignment.person
    first = person.history.get()
    response = admin_client.post(
        reverse("admin:personnel_person_change", args=[person.pk]),
        person_post(person, name="李明"),
    )
    assert response.status_code == 302
    assert list(Assignment.objects.search("liming")) == [assignment]

    url = reverse(
        "admin:personnel_person_simple_history", args=[person.pk, first.history_id]
    )
    version = admin_client.get(url)
    response = admin_client.post(url, posted_form(version, "assignments"))
    assert response.status_code == 302, form_errors(version)
    person.refresh_from_db()
    assert (person.name, person.name_key, person.initials) == ("季成", "季成", "jc")
    assert list(Person.objects.search("jicheng")) == [person]
    assert list(Assignment.objects.search("季成")) == [assignment]
    assert not Assignment.objects.search("liming").exists()


def test_a_person_restored_from_the_trash_is_found_again(admin_client):
    assignment = make_assignment(name="季成")
    person = assignment.person
    admin_client.post(
        reverse("admin:personnel_person_delete", args=[person.pk]), {"post": "yes"}
    )
    assert not Assignment.objects.search("jicheng").exists()
    response = admin_client.post(
        trash_url("personnel_person"), restore_form(Person, person.pk)
    )
    assert response.status_code == 302
    assert list(Person.objects.search("jc")) == [person]
    assert [a.pk for a in Assignment.objects.search("jicheng")] == [assignment.pk]


@pytest.mark.parametrize(
    ("make", "links"),
    [
        (make_article, 2),
        (make_project, 1),
        (lambda: make_assignment().person, 0),
    ],
    ids=["article", "project", "person"],
)
def test_a_save_writes_the_row_and_its_record_and_reads_only_its_links(
    django_assert_num_queries, make, links
):
    # One UPDATE, one INSERT of the record, one SELECT per many-to-many field
    # (the links the record keeps): the left-out fields are never read back.
    row = make()
    with django_assert_num_queries(2 + links):
        row.save()
