"""The three newsroom roles in the admin: 编辑 (editor) works on drafts, 发布
(publisher) also publishes, changes and deletes live content, 记者 (reporter)
only reads the roster. Every refused request leaves the database as it was."""

from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from aidportal.kernel.workflow import Submission
from articles.models import Article
from personnel.models import Assignment, Person
from projects.models import Project
from tests.builders import (
    ROLES,
    article_post,
    batch_form,
    csv_upload,
    database_snapshot,
    edit_version,
    form_errors,
    make_article,
    make_assignment,
    make_batch,
    make_channel,
    make_person,
    make_project,
    make_unit,
    person_post,
    project_post,
    unit_form,
)

pytestmark = pytest.mark.django_db


@dataclass
class Kind:
    model: Any
    admin: str  # "<app>_<model>", as in the admin URL names
    title: str  # the field a change edits
    make: Any  # make(live) -> a saved row
    post: Any  # post(obj=None, **overrides) -> the admin form as posted
    live_values: dict  # what a forged POST sends to publish


KINDS = {
    "article": Kind(
        Article,
        "articles_article",
        "title",
        lambda live: make_article(
            status=Article.Status.PUBLISHED if live else Article.Status.DRAFT
        ),
        article_post,
        {"status": Article.Status.PUBLISHED},
    ),
    "project": Kind(
        Project,
        "projects_project",
        "name",
        lambda live: make_project(
            status=Project.Status.PUBLISHED if live else Project.Status.DRAFT
        ),
        project_post,
        {"status": Project.Status.PUBLISHED},
    ),
    "person": Kind(
        Person,
        "personnel_person",
        "name",
        lambda live: make_person(is_public=live),
        person_post,
        {"status": Person.Status.PUBLISHED},
    ),
}


def admin_url(kind, view, *args):
    return reverse(f"admin:{KINDS[kind].admin}_{view}", args=args)


def may_view(role, kind):
    return role != "reporter" or kind == "person"


def may_edit_drafts(role):
    return role in ("editor", "publisher")


def may_publish(role):
    return role == "publisher"


def offered_actions(response):
    """The names of the actions the changelist offers (none without a form)."""
    action_form = response.context["action_form"]
    if action_form is None:
        return set()
    return {name for name, label in action_form.fields["action"].choices if name}


def assert_refused(response, before):
    assert response.status_code == 403
    assert database_snapshot() == before


# Changelists


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_changelist_is_open_to_the_roles_that_may_view_the_model(login, role, kind):
    KINDS[kind].make(live=True)
    response = login(role).get(admin_url(kind, "changelist"))
    assert response.status_code == (200 if may_view(role, kind) else 403)


# Adding


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_adding_a_draft_is_for_editors_and_publishers(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    data = spec.post()
    before = database_snapshot()
    response = client.post(admin_url(kind, "add"), data)
    if not may_edit_drafts(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302, form_errors(response)
    added = spec.model.objects.get(**{spec.title: data[spec.title]})
    assert not added.is_live


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_a_forged_publish_on_add_only_works_for_a_publisher(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    data = spec.post(**spec.live_values)
    before = database_snapshot()
    response = client.post(admin_url(kind, "add"), data)
    if not may_edit_drafts(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302, form_errors(response)
    added = spec.model.objects.get(**{spec.title: data[spec.title]})
    assert added.is_live == may_publish(role)


# Changing


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_changing_a_draft_is_for_editors_and_publishers(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    draft = spec.make(live=False)
    before = database_snapshot()
    response = client.post(
        admin_url(kind, "change", draft.pk),
        spec.post(draft, **{spec.title: "改过的标题"}),
    )
    if not may_edit_drafts(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert getattr(draft, spec.title) == "改过的标题"
    assert not draft.is_live


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_a_forged_publish_on_change_only_works_for_a_publisher(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    draft = spec.make(live=False)
    before = database_snapshot()
    response = client.post(
        admin_url(kind, "change", draft.pk),
        spec.post(draft, **{spec.title: "改过的标题", **spec.live_values}),
    )
    if not may_edit_drafts(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302, form_errors(response)
    draft.refresh_from_db()
    assert getattr(draft, spec.title) == "改过的标题"
    assert draft.is_live == may_publish(role)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_changing_live_content_directly_is_for_publishers_only(login, role, kind):
    """An editor's change of live content is a working copy: the live row,
    what the public sees, stays as it was (aidportal.kernel.workflow)."""
    spec = KINDS[kind]
    client = login(role)
    live = spec.make(live=True)
    title = getattr(live, spec.title)
    before = database_snapshot()
    response = client.post(
        admin_url(kind, "change", live.pk),
        spec.post(live, **{spec.title: "改过的标题"}),
    )
    if not may_edit_drafts(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302, form_errors(response)
    live.refresh_from_db()
    assert live.is_live
    if may_publish(role):
        assert getattr(live, spec.title) == "改过的标题"
        assert not Submission.objects.exists()
    else:
        assert getattr(live, spec.title) == title
        copy = Submission.objects.get()
        assert copy.data[spec.title] == "改过的标题"
        assert copy.submitted_at is None


@pytest.mark.parametrize("kind", KINDS)
def test_an_editor_may_edit_live_content_but_not_delete_it(login, kind):
    live = KINDS[kind].make(live=True)
    response = login("editor").get(admin_url(kind, "change", live.pk))
    assert response.status_code == 200
    assert response.context["has_change_permission"] is True
    assert response.context["has_delete_permission"] is False
    assert "保存为修改稿并送审" in response.content.decode()


# Deleting


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_deleting_a_draft_is_for_editors_and_publishers(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    draft = spec.make(live=False)
    before = database_snapshot()
    response = client.post(admin_url(kind, "delete", draft.pk), {"post": "yes"})
    if not may_edit_drafts(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302
    assert not spec.model.objects.filter(pk=draft.pk).exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_the_delete_page_of_live_content_is_for_publishers_only(login, role, kind):
    client = login(role)
    live = KINDS[kind].make(live=True)
    before = database_snapshot()
    response = client.get(admin_url(kind, "delete", live.pk))
    if not may_publish(role):
        assert_refused(response, before)
        return
    assert response.status_code == 200
    assert not response.context["perms_lacking"]
    assert database_snapshot() == before


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_deleting_live_content_is_for_publishers_only(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    live = spec.make(live=True)
    before = database_snapshot()
    response = client.post(admin_url(kind, "delete", live.pk), {"post": "yes"})
    if not may_publish(role):
        assert_refused(response, before)
        return
    assert response.status_code == 302
    assert not spec.model.objects.filter(pk=live.pk).exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
def test_bulk_deleting_live_content_is_for_publishers_only(login, role, kind):
    spec = KINDS[kind]
    client = login(role)
    live = spec.make(live=True)
    draft = spec.make(live=False)
    selected = {"action": "delete_selected", "_selected_action": [live.pk, draft.pk]}
    changelist = admin_url(kind, "changelist")
    before = database_snapshot()
    if role == "editor":
        # The confirmation page names what the editor may not delete.
        confirm = client.post(changelist, selected)
        assert confirm.status_code == 200
        assert confirm.context["perms_lacking"]
        assert database_snapshot() == before
    response = client.post(changelist, {**selected, "post": "yes"})
    if may_publish(role):
        assert response.status_code == 302
        assert not spec.model.objects.filter(pk__in=[live.pk, draft.pk]).exists()
    elif role == "reporter" and may_view(role, kind):
        # A reporter is not offered the action: the admin only says so.
        assert "delete_selected" not in offered_actions(client.get(changelist))
        assert response.status_code == 200
        assert database_snapshot() == before
    else:
        assert_refused(response, before)


# Status actions


STATUS_ACTIONS = {
    "publish": (Article.Status.DRAFT, Article.Status.PUBLISHED),
    "withdraw": (Article.Status.PUBLISHED, Article.Status.WITHDRAWN),
    "archive": (Article.Status.PUBLISHED, Article.Status.ARCHIVED),
}


@pytest.mark.parametrize("action", STATUS_ACTIONS)
@pytest.mark.parametrize("kind", ["article", "project"])
@pytest.mark.parametrize("role", ROLES)
def test_status_actions_are_for_publishers_only(login, role, kind, action):
    spec = KINDS[kind]
    client = login(role)
    start, end = STATUS_ACTIONS[action]
    row = spec.make(live=start != Article.Status.DRAFT)
    assert row.status == start
    changelist = admin_url(kind, "changelist")
    before = database_snapshot()
    response = client.post(changelist, {"action": action, "_selected_action": [row.pk]})
    if not may_view(role, kind):
        assert_refused(response, before)
        return
    offered = offered_actions(client.get(changelist))
    row.refresh_from_db()
    if may_publish(role):
        assert response.status_code == 302
        assert row.status == end
        assert action in offered
    else:
        assert action not in offered
        assert row.status == start
        assert database_snapshot() == before


# Marking assignments returned


@pytest.mark.parametrize("model", ["person", "assignment"])
@pytest.mark.parametrize("role", ROLES)
def test_marking_returned_is_for_publishers_only(login, role, model):
    client = login(role)
    assignment = make_assignment(arrived_on=date(2021, 1, 1))
    selected = assignment.person if model == "person" else assignment
    changelist = reverse(f"admin:personnel_{model}_changelist")
    before = database_snapshot()
    response = client.post(
        changelist,
        {
            "action": "mark_returned",
            "_selected_action": [selected.pk],
            "apply": "1",
            "left_on": "2021-06-28",
        },
    )
    assignment.refresh_from_db()
    offered = offered_actions(client.get(changelist))
    if may_publish(role):
        assert response.status_code == 302
        assert assignment.left_on == date(2021, 6, 28)
        assert "mark_returned" in offered
    else:
        assert "mark_returned" not in offered
        assert assignment.left_on is None
        assert database_snapshot() == before


# Assignments of public people


def test_an_editor_cannot_change_or_delete_an_assignment_of_a_public_person(login):
    client = login("editor")
    assignment = make_assignment(position="数学教师")
    url = reverse("admin:personnel_assignment_change", args=[assignment.pk])
    data = {
        "person": assignment.person_id,
        "batch": assignment.batch_id,
        "term": "",
        "sending_unit": assignment.sending_unit_id,
        "receiving_unit": assignment.receiving_unit_id,
        "position": "校长",
        "arrived_on": "",
        "left_on": "",
    }
    before = database_snapshot()
    assert_refused(client.post(url, data), before)
    delete = reverse("admin:personnel_assignment_delete", args=[assignment.pk])
    assert_refused(client.post(delete, {"post": "yes"}), before)


def test_an_editor_cannot_add_an_assignment_to_a_public_person(login):
    # The admin import refuses such a row for an editor (see below); the add
    # form must not be a way round it.
    client = login("editor")
    public = make_person(is_public=True)
    batch = make_batch(10)
    sending, receiving = make_unit("杭州市第十四中学"), make_unit("阿克苏市实验中学")
    before = database_snapshot()
    response = client.post(
        reverse("admin:personnel_assignment_add"),
        {
            "person": public.pk,
            "batch": batch.pk,
            "term": "",
            "sending_unit": sending.pk,
            "receiving_unit": receiving.pk,
            "position": "校长",
            "arrived_on": "",
            "left_on": "",
        },
    )
    assert not Assignment.objects.filter(person=public).exists()
    assert response.status_code in (200, 403)
    assert database_snapshot() == before


def test_an_editor_cannot_move_an_assignment_to_a_public_person(login):
    client = login("editor")
    assignment = make_assignment(is_public=False, position="校长")
    public = make_person(is_public=True)
    before = database_snapshot()
    response = client.post(
        reverse("admin:personnel_assignment_change", args=[assignment.pk]),
        {
            "person": public.pk,
            "batch": assignment.batch_id,
            "term": "",
            "sending_unit": assignment.sending_unit_id,
            "receiving_unit": assignment.receiving_unit_id,
            "position": "校长",
            "arrived_on": "",
            "left_on": "",
            **edit_version(assignment),
        },
    )
    assert not public.assignments.exists()
    assert response.status_code in (200, 403)
    assert database_snapshot() == before


def test_an_editor_may_add_an_assignment_to_a_hidden_person(login):
    client = login("editor")
    hidden = make_person(is_public=False)
    response = client.post(
        reverse("admin:personnel_assignment_add"),
        {
            "person": hidden.pk,
            "batch": make_batch(10).pk,
            "term": "",
            "sending_unit": make_unit("杭州市第十四中学").pk,
            "receiving_unit": make_unit("阿克苏市实验中学").pk,
            "position": "校长",
            "arrived_on": "",
            "left_on": "",
        },
    )
    assert response.status_code == 302, form_errors(response)
    assert hidden.assignments.get().position == "校长"


# Units and batches of public people are live data


LIVE_DATA_EDITS = {
    "unit-name": lambda a: (
        a.receiving_unit,
        unit_form(a.receiving_unit, name="新名"),
    ),
    "unit-aliases": lambda a: (
        a.sending_unit,
        unit_form(a.sending_unit, aliases="浙大一院、浙一"),
    ),
    "batch-label": lambda a: (a.batch, batch_form(a.batch, label="第一批")),
}


@pytest.mark.parametrize("edit", LIVE_DATA_EDITS)
@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_units_and_batches_of_public_people_are_for_publishers_only(login, role, edit):
    assignment = make_assignment(is_public=True)
    obj, data = LIVE_DATA_EDITS[edit](assignment)
    model = type(obj)._meta.model_name
    url = reverse(f"admin:personnel_{model}_change", args=[obj.pk])
    client = login(role)
    before = database_snapshot()
    response = client.post(url, data)
    if role == "editor":
        assert_refused(response, before)
        assert client.get(url).context["has_change_permission"] is False
        return
    assert response.status_code == 302, form_errors(response)
    assert database_snapshot() != before


@pytest.mark.parametrize("edit", LIVE_DATA_EDITS)
def test_an_editor_may_change_units_and_batches_only_hidden_people_use(login, edit):
    assignment = make_assignment(is_public=False)
    obj, data = LIVE_DATA_EDITS[edit](assignment)
    model = type(obj)._meta.model_name
    response = login("editor").post(
        reverse(f"admin:personnel_{model}_change", args=[obj.pk]), data
    )
    assert response.status_code == 302, form_errors(response)


# The reporter


def roster_rows(assignment):
    return {
        "person": assignment.person,
        "assignment": assignment,
        "unit": assignment.sending_unit,
        "batch": assignment.batch,
    }


@pytest.mark.parametrize("model", ["person", "assignment", "unit", "batch"])
def test_a_reporter_reads_the_public_roster_in_the_admin_and_nothing_else(login, model):
    """Reporters read what the public may read: hidden people, their
    assignments and the units and batches only they use stay in the newsroom."""
    public = roster_rows(make_assignment())[model]
    hidden = roster_rows(
        make_assignment(
            is_public=False,
            batch=make_batch(11),
            sending_unit=make_unit("隐藏派出单位"),
            receiving_unit=make_unit("隐藏受援单位"),
        )
    )[model]
    client = login("reporter")
    changelist = client.get(reverse(f"admin:personnel_{model}_changelist"))
    assert changelist.status_code == 200
    assert public in changelist.context["cl"].result_list
    assert hidden not in changelist.context["cl"].result_list
    change = client.get(reverse(f"admin:personnel_{model}_change", args=[public.pk]))
    assert change.status_code == 200
    assert change.context["has_change_permission"] is False
    hidden_change = reverse(f"admin:personnel_{model}_change", args=[hidden.pk])
    assert client.get(hidden_change).status_code == 302, "as for no such row"
    for row in (public, hidden):
        # Earlier versions hold what the public roster does not: no history.
        history = reverse(f"admin:personnel_{model}_history", args=[row.pk])
        assert client.get(history).status_code == 404
        version = row.history.latest("history_date")
        assert client.get(f"{history}{version.history_id}/").status_code == 404
    editor_list = login("editor").get(reverse(f"admin:personnel_{model}_changelist"))
    assert hidden in editor_list.context["cl"].result_list


REPORTER_HIDDEN_PAGES = {
    "article-changelist": lambda: reverse("admin:articles_article_changelist"),
    "article-change": lambda: reverse(
        "admin:articles_article_change", args=[make_article().pk]
    ),
    "article-history": lambda: reverse(
        "admin:articles_article_history", args=[make_article().pk]
    ),
    "article-trash": lambda: reverse("admin:articles_article_deleted"),
    "channel-changelist": lambda: reverse("admin:articles_channel_changelist"),
    "project-changelist": lambda: reverse("admin:projects_project_changelist"),
    "project-change": lambda: reverse(
        "admin:projects_project_change", args=[make_project().pk]
    ),
    "project-history": lambda: reverse(
        "admin:projects_project_history", args=[make_project().pk]
    ),
    "project-trash": lambda: reverse("admin:projects_project_deleted"),
}


@pytest.mark.parametrize("page", REPORTER_HIDDEN_PAGES)
def test_a_reporter_sees_nothing_of_articles_and_projects(login, page):
    url = REPORTER_HIDDEN_PAGES[page]()
    assert login("reporter").get(url).status_code == 403


def unit_post():
    return {"name": "杭州市第九中学", "short_name": "", "aliases": "", "kind": "school"}


ADD_FORMS = {
    "article": lambda: article_post(channel=make_channel()),
    "channel": lambda: {"name": "新栏目", "slug": "new", "position": 1},
    "project": project_post,
    "person": person_post,
    "assignment": lambda: {
        "person": make_person(is_public=False).pk,
        "batch": make_batch(10).pk,
        "sending_unit": make_unit("杭州市第十四中学").pk,
        "receiving_unit": make_unit("阿克苏市实验中学").pk,
        "position": "教师",
    },
    "unit": unit_post,
    "batch": lambda: {"number": 11, "label": ""},
}
APPS = {"article": "articles", "channel": "articles", "project": "projects"}


@pytest.mark.parametrize("model", ADD_FORMS)
def test_a_reporter_may_not_add_anything(login, model):
    client = login("reporter")
    url = reverse(f"admin:{APPS.get(model, 'personnel')}_{model}_add")
    data = ADD_FORMS[model]()
    before = database_snapshot()
    assert client.get(url).status_code == 403
    assert_refused(client.post(url, data), before)


def test_a_reporter_may_not_import_the_roster(login):
    client = login("reporter")
    before = database_snapshot()
    assert client.get(IMPORT_URL).status_code == 403
    response = client.post(
        IMPORT_URL,
        {"import_file": csv_upload(ROSTER), "format": "0", "resource": "0"},
    )
    assert_refused(response, before)


# The admin roster import

IMPORT_URL = "/admin/personnel/assignment/import/"
PROCESS_URL = "/admin/personnel/assignment/process_import/"
ROSTER = """姓名,派出单位,对口支援单位,职务
季 成,浙江大学医学院附属第一医院,阿克苏地区第一人民医院,副院长
王芳,杭州第二中学,阿克苏市实验中学,数学教师
"""


def import_preview(client, text):
    choices = client.get(IMPORT_URL).context["form"].fields["format"].choices
    csv = next(value for value, label in choices if str(label).lower() == "csv")
    return client.post(
        IMPORT_URL,
        {
            "import_file": csv_upload(text),
            "format": csv,
            "resource": "0",
            "batch": "10",
            "term": "首期",
            "category": "",
        },
    )


def import_confirm(client, preview):
    confirm = {
        name: "" if value is None else value
        for name, value in preview.context["confirm_form"].initial.items()
    }
    return client.post(PROCESS_URL, confirm)


@pytest.mark.parametrize("role", ["editor", "publisher"])
def test_an_import_makes_people_public_only_for_a_publisher(login, role):
    client = login(role)
    preview = import_preview(client, ROSTER)
    assert preview.status_code == 200
    assert not preview.context["result"].has_validation_errors()
    done = import_confirm(client, preview)
    assert done.status_code == 302
    people = Person.objects.filter(name__in=["季成", "王芳"])
    assert people.count() == 2
    assert {p.is_public for p in people} == {may_publish(role)}


def public_ji_cheng():
    """季 成, public, sent by the hospital the roster names."""
    return make_assignment(
        name="季 成",
        batch=make_batch(9),
        sending_unit=make_unit("浙江大学医学院附属第一医院"),
        is_public=True,
    ).person


def test_an_editor_import_touching_a_public_person_is_a_row_error(login):
    public_ji_cheng()
    client = login("editor")
    before = database_snapshot()
    preview = import_preview(client, ROSTER)
    assert preview.status_code == 200
    result = preview.context["result"]
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 2  # the file's line: the header is line 1
    assert "已公开" in str(invalid.error_dict)
    assert "confirm_form" not in preview.context
    assert database_snapshot() == before


def test_an_editor_import_confirmed_after_a_person_went_public_writes_nothing(login):
    ji = public_ji_cheng()
    Person.objects.filter(pk=ji.pk).update(is_public=False, status="draft")
    client = login("editor")
    preview = import_preview(client, ROSTER)
    assert not preview.context["result"].has_validation_errors()
    # A publisher makes 季 成 public between the preview and the confirmation.
    Person.objects.filter(pk=ji.pk).update(is_public=True, status="published")
    before = database_snapshot()
    done = import_confirm(client, preview)
    assert not Person.objects.filter(name="王芳").exists()
    # Nothing was imported: no "import succeeded" message, no admin log entry
    # of an addition that was rolled back.
    told = [str(message) for message in get_messages(done.wsgi_request)]
    assert not any("导入成功" in message for message in told), told
    assert database_snapshot() == before
