"""Review before publishing: an editor's edit of live content waits for a
publisher's approval; drafts go 草稿 → 待审核 → 已发布 (aidportal.kernel.workflow)."""

import re
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel import workflow
from aidportal.kernel.audit import AuditEntry
from aidportal.kernel.workflow import ReviewComment, Submission
from articles.models import Article
from personnel.models import Person
from projects.models import Project
from tests.builders import (
    EDITOR,
    PUBLISHER,
    ROLES,
    article_post,
    database_snapshot,
    form_errors,
    image_file,
    make_article,
    make_person,
    make_project,
    make_staff,
    person_post,
    posted_form,
    project_post,
    restore_form,
)

pytestmark = pytest.mark.django_db


def acts():
    """The audit log's entries of what staff did to rows (logging in is
    recorded too: the test clients' logins)."""
    return AuditEntry.objects.exclude(action__in=["login", "logout"])


def review_url(obj):
    return reverse("admin:articles_article_review", args=[obj.pk])


def change_url(obj):
    return reverse("admin:articles_article_change", args=[obj.pk])


def test_an_editors_fix_of_a_live_article_waits_for_approval(login, client):
    live = make_article(title="援疆医生开展新技朮", status=Article.Status.PUBLISHED)
    editor = login("editor")
    response = editor.post(
        change_url(live),
        {**article_post(live, title="援疆医生开展新技术"), "_submit": "1"},
    )
    assert response.status_code == 302, form_errors(response)
    live.refresh_from_db()
    assert live.title == "援疆医生开展新技朮"
    assert Submission.objects.get().submitted_at is not None
    # The editor sees the working copy when opening the form again.
    again = editor.get(change_url(live))
    assert again.context["adminform"].form.initial["title"] == "援疆医生开展新技术"

    publisher = login("publisher")
    page = publisher.get(review_url(live))
    assert page.status_code == 200
    html = page.content.decode()
    assert "<del>朮</del><ins>术</ins>" in html
    seen = page.context["form"].initial["seen"]
    done = publisher.post(review_url(live), {"verdict": "approve", "seen": seen})
    assert done.status_code == 302, page.context["form"].errors
    live.refresh_from_db()
    assert live.title == "援疆医生开展新技术"
    assert live.is_live
    assert not Submission.objects.exists()
    assert acts().filter(action="approve").count() == 1


def test_a_publisher_rejects_a_draft_with_a_comment(login):
    draft = make_article(status=Article.Status.DRAFT)
    editor = login("editor")
    changelist = reverse("admin:articles_article_changelist")
    editor.post(changelist, {"action": "submit", "_selected_action": [draft.pk]})
    draft.refresh_from_db()
    assert draft.status == Article.Status.REVIEW
    publisher = login("publisher")
    page = publisher.get(review_url(draft))
    refused = publisher.post(
        review_url(draft),
        {
            "verdict": "reject",
            "comment": "",
            "seen": page.context["form"].initial["seen"],
        },
    )
    assert refused.status_code == 200
    assert "请填写审核意见" in refused.content.decode()
    publisher.post(
        review_url(draft),
        {
            "verdict": "reject",
            "comment": "来源未注明",
            "seen": page.context["form"].initial["seen"],
        },
    )
    draft.refresh_from_db()
    assert draft.status == Article.Status.DRAFT
    assert ReviewComment.objects.get().text == "来源未注明"
    index = editor.get(reverse("admin:index")).content.decode()
    assert "我的稿件" in index and "来源未注明" in index


# Every transition × every role × every kind, by every path

# Each workflow state a row may be stored in, and what a transition leads to
# from it (no entry: the transition is not open from that state).
TRANSITION_TARGETS = {
    "submit": {"draft": "review", "withdrawn": "review"},
    "reject": {"review": "draft"},
    "publish": {
        "draft": "published",
        "review": "published",
        "withdrawn": "published",
        "archived": "published",
    },
    "withdraw": {"published": "withdrawn"},
    "archive": {"published": "archived", "withdrawn": "archived"},
}
STATES = ["draft", "review", "published", "withdrawn", "archived"]
# Who may take each transition (editors propose, publishers decide).
TAKEN_BY = {
    "submit": {"editor", "publisher"},
    "reject": {"publisher"},
    "publish": {"publisher"},
    "withdraw": {"publisher"},
    "archive": {"publisher"},
}


@dataclass
class Kind:
    model: Any
    admin: str  # "<app>_<model>", as in the admin URL names
    title: str  # the field an edit changes
    make: Any  # make(status) -> a saved row in that state
    post: Any  # post(obj, **overrides) -> its change form as posted


KINDS = {
    "article": Kind(
        Article,
        "articles_article",
        "title",
        lambda s: make_article(status=s),
        article_post,
    ),
    "project": Kind(
        Project,
        "projects_project",
        "name",
        lambda s: make_project(status=s),
        project_post,
    ),
    "person": Kind(
        Person,
        "personnel_person",
        "name",
        lambda s: make_person(status=s),
        person_post,
    ),
}


def admin_url(kind, view, *args):
    return reverse(f"admin:{KINDS[kind].admin}_{view}", args=args)


def make_row(kind, state, *, author=None):
    """A row of ``kind`` stored in ``state``; one in review was submitted by
    ``author`` (a new editor unless given), as the submit transition leaves it."""
    row = KINDS[kind].make(state)
    if state == "review":
        author = author or make_staff(EDITOR)
        Submission.objects.create(
            content_type=ContentType.objects.get_for_model(row),
            object_id=row.pk,
            author=author,
            submitted_at=timezone.now(),
        )
    return row


def workflow_snapshot():
    """The content tables (database_snapshot()) and the review's own: a
    refused request changes none of them and writes no audit entry."""
    return {
        **database_snapshot(),
        "submissions": list(Submission.objects.order_by("pk").values()),
        "comments": list(ReviewComment.objects.order_by("pk").values()),
        "audit": list(acts().order_by("pk").values()),
    }


def content_snapshot():
    """database_snapshot() but the audit log: the rows and their history."""
    snapshot = database_snapshot()
    del snapshot[AuditEntry._meta.label]
    return snapshot


def assert_unchanged(before):
    assert workflow_snapshot() == before
    assert not acts().exists()


def assert_taken(row, name, source, user):
    """``row`` went by transition ``name`` from ``source``: its state after,
    one audit entry saying who did what to it."""
    target = TRANSITION_TARGETS[name][source]
    row.refresh_from_db()
    assert row.status == target
    entry = acts().get()
    expected = "approve" if (name, source) == ("publish", "review") else name
    assert (entry.user, entry.action) == (user, expected)
    assert entry.content_type == ContentType.objects.get_for_model(row)
    assert entry.object_id == str(row.pk)


def list_action_cases():
    return [
        (name, source)
        for name in ["submit", "publish", "withdraw", "archive"]
        for source in STATES
    ]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(("name", "source"), list_action_cases())
def test_list_actions_take_only_the_open_transitions(login, role, kind, name, source):
    client = login(role)
    row = make_row(kind, source)
    before = workflow_snapshot()
    client.post(
        admin_url(kind, "changelist"), {"action": name, "_selected_action": [row.pk]}
    )
    if role in TAKEN_BY[name] and source in TRANSITION_TARGETS[name]:
        assert_taken(row, name, source, client.user)
    else:
        assert_unchanged(before)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("source", STATES)
@pytest.mark.parametrize("verdict", ["approve", "reject"])
def test_the_review_page_takes_only_the_open_transitions(
    login, role, kind, source, verdict
):
    client = login(role)
    row = make_row(kind, source)
    seen = admin.site.get_model_admin(type(row)).edited_row().token(row.pk)
    before = workflow_snapshot()
    response = client.post(
        admin_url(kind, "review", row.pk),
        {"verdict": verdict, "comment": "请核对来源", "seen": seen},
    )
    name = "publish" if verdict == "approve" else "reject"
    if role == "publisher" and source in TRANSITION_TARGETS[name]:
        assert response.status_code == 302
        assert_taken(row, name, source, client.user)
        assert not Submission.objects.filter(submitted_at__isnull=False).exists()
        return
    assert_unchanged(before)
    if role == "publisher":
        # Not open from the stored state: the page says so.
        assert response.status_code == 200
        assert "不能" in str(response.context["form"].non_field_errors())
    else:
        # A reporter does not see a hidden person at all: as for no such row.
        assert response.status_code in (403, 404)


def status_cases():
    return [
        (stored, chosen) for stored in STATES for chosen in STATES if chosen != stored
    ]


def form_transition(stored, chosen):
    """The transition the status select takes from ``stored`` to ``chosen``
    (not 退回, which needs a comment on the review page), or None."""
    for name, targets in TRANSITION_TARGETS.items():
        if name != "reject" and targets.get(stored) == chosen:
            return name
    return None


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("stored", "chosen"), status_cases())
def test_a_publisher_picks_only_states_open_from_the_stored_one(
    login, kind, stored, chosen
):
    spec = KINDS[kind]
    client = login("publisher")
    row = make_row(kind, stored)
    url = admin_url(kind, "change", row.pk)
    offered = {
        value
        for value, label in client.get(url)
        .context["adminform"]
        .form.fields["status"]
        .choices
    }
    name = form_transition(stored, chosen)
    assert offered == {stored} | {
        target
        for n, t in TRANSITION_TARGETS.items()
        if n != "reject"
        for source, target in t.items()
        if source == stored
    }
    before = workflow_snapshot()
    response = client.post(url, spec.post(row, status=chosen))
    if name is None:
        # A forged POST of a state not offered is the form's error.
        assert response.status_code == 200
        assert "status" in form_errors(response)
        assert_unchanged(before)
        return
    assert response.status_code == 302, form_errors(response)
    assert_taken(row, name, stored, client.user)


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("stored", "chosen"), status_cases())
def test_an_editors_forged_status_is_ignored(login, kind, stored, chosen):
    spec = KINDS[kind]
    client = login("editor")
    row = make_row(kind, stored)
    client.post(admin_url(kind, "change", row.pk), spec.post(row, status=chosen))
    row.refresh_from_db()
    assert row.status == stored
    assert not acts().exclude(action="working_copy").exists()


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize(("stored", "chosen"), status_cases())
def test_a_reporters_forged_status_is_refused(login, kind, stored, chosen):
    spec = KINDS[kind]
    client = login("reporter")
    row = make_row(kind, stored)
    before = workflow_snapshot()
    response = client.post(
        admin_url(kind, "change", row.pk), spec.post(row, status=chosen)
    )
    assert response.status_code in (302, 403)
    assert_unchanged(before)


# Working copies


def public_page(article):
    return Client().get(article.get_absolute_url())


def save_copy(client, live, submit=False, **changes):
    data = article_post(live, **changes)
    if submit:
        data["_submit"] = "1"
    return client.post(change_url(live), data)


def approve(client, live, **fields):
    page = client.get(review_url(live))
    return client.post(
        review_url(live),
        {"verdict": "approve", "seen": page.context["form"].initial["seen"], **fields},
    )


def test_an_editors_edit_of_a_live_article_changes_neither_row_nor_page(login):
    live = make_article(title="援疆医生开展新技朮")
    page_before = public_page(live).content
    row_before = content_snapshot()
    response = save_copy(login("editor"), live, submit=True, title="改过的标题")
    assert response.status_code == 302, form_errors(response)
    assert content_snapshot() == row_before
    assert acts().get().action == "submit"
    assert public_page(live).content == page_before
    assert Submission.objects.get().data["title"] == "改过的标题"


def test_a_second_editor_is_told_who_has_the_working_copy_and_since_when(login):
    live = make_article()
    first = login("editor")
    first.user.last_name, first.user.first_name = "张", "三"
    first.user.save()
    save_copy(first, live, title="第一位编辑的修改")
    copy = Submission.objects.get()
    before = workflow_snapshot()
    response = save_copy(login("editor"), live, title="第二位编辑的修改")
    assert response.status_code == 200
    message = str(response.context["adminform"].form.non_field_errors())
    since = timezone.localtime(copy.created_at)
    assert "张三" in message
    assert f"{since.year}年{since.month}月{since.day}日 {since:%H:%M}" in message
    assert "一条记录同时只能有一份修改稿" in message
    assert workflow_snapshot() == before


def test_the_author_reopens_their_working_copy_with_its_values(login):
    live = make_article(title="原标题")
    project = make_project()
    editor = login("editor")
    save_copy(editor, live, title="修改稿标题", projects=[project.pk])
    form = editor.get(change_url(live)).context["adminform"].form
    assert form.initial["title"] == "修改稿标题"
    assert [str(pk) for pk in form.initial["projects"]] == [str(project.pk)]
    # Another editor sees the live row.
    other = login("editor").get(change_url(live)).context["adminform"].form
    assert other.initial["title"] == "原标题"


def test_a_publisher_sees_the_working_copy_notice_on_the_change_form(login):
    live = make_article()
    save_copy(login("editor"), live, submit=True, title="改过的标题")
    html = login("publisher").get(change_url(live)).content.decode()
    assert "有一份修改稿，已提交审核" in html
    assert "网站上仍是审核前的内容" in html
    assert f'href="{review_url(live)}"' in html


def test_approval_applies_every_edited_field_with_relations_and_cover(login):
    live = make_article(title="原标题", summary="原摘要")
    project, person = make_project(), make_person()
    editor = login("editor")
    response = save_copy(
        editor,
        live,
        submit=True,
        title="新标题",
        summary="新摘要",
        body="<p>新正文。</p>",
        projects=[project.pk],
        people=[person.pk],
        cover=image_file("new-cover.jpg"),
        cover_alt="新题图",
    )
    assert response.status_code == 302, form_errors(response)
    live.refresh_from_db()
    assert not live.cover
    # The review shows the new cover in the place it will take (64 × 48 shown
    # 160 wide), before it arrives.
    review = login("publisher").get(review_url(live)).content.decode()
    assert re.search(
        r'<img class="review-picture" src="/media/renditions/[^"]+" alt="[^"]+" '
        r'width="160" height="120" loading="lazy">',
        review,
    )
    done = approve(login("publisher"), live)
    assert done.status_code == 302
    live.refresh_from_db()
    assert (live.title, live.summary, live.body) == (
        "新标题",
        "新摘要",
        "<p>新正文。</p>",
    )
    assert list(live.projects.all()) == [project]
    assert list(live.people.all()) == [person]
    assert live.cover.name.endswith(".jpg") and live.cover_alt == "新题图"
    assert live.cover.storage.exists(live.cover.name)
    assert "新标题" in public_page(live).content.decode()


def test_an_approved_fix_replaces_the_cached_public_page(login, page_cache):
    live = make_article(title="援疆医生开展新技朮")
    save_copy(login("editor"), live, submit=True, title="援疆医生开展新技术")
    assert "新技朮" in public_page(live).content.decode()
    # Cached now: the approval must replace it.
    assert "新技朮" in public_page(live).content.decode()
    assert approve(login("publisher"), live).status_code == 302
    html = public_page(live).content.decode()
    assert "新技术" in html and "新技朮" not in html


def fail_relations(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("多对多写入失败")

    monkeypatch.setattr(Article.projects.related_manager_cls, "set", refuse)


def fail_audit(monkeypatch):
    def refuse(*args, **kwargs):
        raise RuntimeError("操作日志写入失败")

    monkeypatch.setattr(AuditEntry, "save", refuse)


@pytest.mark.parametrize("failure", [fail_relations, fail_audit])
def test_a_failure_in_the_middle_of_an_approval_leaves_everything_as_it_was(
    login, monkeypatch, failure
):
    live = make_article(title="原标题")
    save_copy(
        login("editor"), live, submit=True, title="新标题", projects=[make_project().pk]
    )
    publisher = login("publisher")
    page = publisher.get(review_url(live))
    before = workflow_snapshot()
    failure(monkeypatch)
    with pytest.raises(RuntimeError):
        publisher.post(
            review_url(live),
            {"verdict": "approve", "seen": page.context["form"].initial["seen"]},
        )
    monkeypatch.undo()
    assert workflow_snapshot() == before
    live.refresh_from_db()
    assert live.title == "原标题"


def test_a_stale_approval_is_refused(login):
    live = make_article(title="原标题")
    editor = login("editor")
    save_copy(editor, live, submit=True, title="第一次修改")
    publisher = login("publisher")
    page = publisher.get(review_url(live))
    save_copy(editor, live, submit=True, title="第二次修改")
    before = workflow_snapshot()
    response = publisher.post(
        review_url(live),
        {"verdict": "approve", "seen": page.context["form"].initial["seen"]},
    )
    assert response.status_code == 200
    assert "你打开这一页后，内容又被修改过" in response.content.decode()
    assert workflow_snapshot() == before


def test_a_stale_approval_of_a_draft_is_refused(login):
    draft = make_row("article", "review")
    publisher = login("publisher")
    page = publisher.get(review_url(draft))
    response = login("editor").post(
        change_url(draft), article_post(draft, title="送审后又改的标题")
    )
    assert response.status_code == 302, form_errors(response)
    before = workflow_snapshot()
    response = publisher.post(
        review_url(draft),
        {"verdict": "approve", "seen": page.context["form"].initial["seen"]},
    )
    assert response.status_code == 200
    assert "你打开这一页后，内容又被修改过" in response.content.decode()
    assert workflow_snapshot() == before


def test_a_rejected_working_copy_goes_back_with_its_comment(login):
    live = make_article(title="原标题")
    editor = login("editor")
    save_copy(editor, live, submit=True, title="新标题")
    publisher = login("publisher")
    page = publisher.get(review_url(live))
    seen = page.context["form"].initial["seen"]
    before = workflow_snapshot()
    refused = publisher.post(review_url(live), {"verdict": "reject", "seen": seen})
    assert refused.status_code == 200
    assert "请填写审核意见" in refused.content.decode()
    assert workflow_snapshot() == before
    done = publisher.post(
        review_url(live), {"verdict": "reject", "comment": "标题有错字", "seen": seen}
    )
    assert done.status_code == 302
    copy = Submission.objects.get()
    assert copy.submitted_at is None and copy.data["title"] == "新标题"
    live.refresh_from_db()
    assert live.title == "原标题"
    entry = acts().get(action="reject")
    assert (entry.user, entry.comment) == (publisher.user, "标题有错字")
    assert "标题有错字" in editor.get(change_url(live)).content.decode()
    index = editor.get(reverse("admin:index")).content.decode()
    assert "我的稿件" in index and "标题有错字" in index


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("verdict", ["approve", "reject"])
def test_only_a_publisher_decides_on_a_working_copy(login, role, kind, verdict):
    spec = KINDS[kind]
    live = spec.make("published")
    title = getattr(live, spec.title)
    editor = login("editor")
    data = {**spec.post(live, **{spec.title: "修改稿的标题"}), "_submit": "1"}
    assert editor.post(admin_url(kind, "change", live.pk), data).status_code == 302
    seen = workflow.copy_version(Submission.objects.get())
    acts().all().delete()
    client = login(role)
    before = workflow_snapshot()
    response = client.post(
        admin_url(kind, "review", live.pk),
        {"verdict": verdict, "comment": "请核对", "seen": seen},
    )
    live.refresh_from_db()
    if role != "publisher":
        assert response.status_code == 403
        assert_unchanged(before)
        return
    assert response.status_code == 302
    entry = acts().get()
    assert (entry.user, entry.action, entry.object_id) == (
        client.user,
        verdict,
        str(live.pk),
    )
    assert live.status == "published"
    if verdict == "approve":
        assert getattr(live, spec.title) == "修改稿的标题"
        assert not Submission.objects.exists()
    else:
        assert getattr(live, spec.title) == title
        assert Submission.objects.get().submitted_at is None


# Scheduled approval


def test_a_draft_approved_for_a_later_time_is_public_only_then(login):
    draft = make_row("article", "review")
    publisher = login("publisher")
    later = timezone.localtime() + timedelta(days=2)
    response = approve(
        publisher,
        draft,
        publish_at_0=later.date().isoformat(),
        publish_at_1=f"{later:%H:%M:%S}",
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert not Article.objects.published().filter(pk=draft.pk).exists()
    then = later + timedelta(minutes=1)
    assert Article.objects.published(now=then).filter(pk=draft.pk).exists()
    assert acts().get().action == "approve"


# E-mails


class FailingBackend(BaseEmailBackend):
    """A mail server that is down."""

    def send_messages(self, email_messages):
        raise ConnectionRefusedError("邮件服务器不可用")


def recipients():
    return sorted(address for message in mail.outbox for address in message.to)


def test_a_submission_is_mailed_to_the_active_publishers(
    login, django_capture_on_commit_callbacks
):
    make_staff(PUBLISHER, email="fabu@example.cn")
    make_staff(PUBLISHER, email="")
    make_staff(PUBLISHER, email="tuixiu@example.cn", is_active=False)
    make_staff(EDITOR, email="bianji@example.cn")
    submitter = login("publisher")
    submitter.user.email = "self@example.cn"
    submitter.user.save()
    draft = make_article(status=Article.Status.DRAFT, title="待审稿件")
    with django_capture_on_commit_callbacks(execute=True):
        submitter.post(
            reverse("admin:articles_article_changelist"),
            {"action": "submit", "_selected_action": [draft.pk]},
        )
    assert recipients() == ["fabu@example.cn"]
    assert "待审稿件" in mail.outbox[0].subject
    assert review_url(draft) in mail.outbox[0].body


def test_a_working_copy_sent_to_review_is_mailed_to_the_publishers(
    login, django_capture_on_commit_callbacks
):
    make_staff(PUBLISHER, email="fabu@example.cn")
    editor = login("editor")
    editor.user.email = "bianji@example.cn"
    editor.user.save()
    live = make_article()
    with django_capture_on_commit_callbacks(execute=True):
        save_copy(editor, live, title="改过的标题")
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        save_copy(editor, live, submit=True, title="改过的标题")
    assert recipients() == ["fabu@example.cn"]
    assert review_url(live) in mail.outbox[0].body


@pytest.mark.parametrize("verdict", ["approve", "reject"])
def test_the_verdict_is_mailed_to_the_author_with_the_comment(
    login, django_capture_on_commit_callbacks, verdict
):
    author = make_staff(EDITOR, email="bianji@example.cn")
    draft = make_row("article", "review", author=author)
    with django_capture_on_commit_callbacks(execute=True):
        approve(login("publisher"), draft, verdict=verdict, comment="注明图片来源")
    assert recipients() == ["bianji@example.cn"]
    assert "注明图片来源" in mail.outbox[0].body
    assert {"approve": "审核通过", "reject": "退回修改"}[verdict] in mail.outbox[
        0
    ].subject


def test_a_failing_mail_server_costs_the_mail_not_the_approval(
    login, settings, django_capture_on_commit_callbacks
):
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    author = make_staff(EDITOR, email="bianji@example.cn")
    draft = make_row("article", "review", author=author)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = approve(login("publisher"), draft)
    assert callbacks, "the mail was to go after the commit"
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Article.Status.PUBLISHED
    assert acts().get().action == "approve"


# The queues on the admin index

INDEX_QUERIES = 15


def test_a_publisher_sees_what_waits_for_review_with_its_age(login):
    waiting = make_row("article", "review")
    Submission.objects.update(submitted_at=timezone.now() - timedelta(days=3))
    gone = make_row("project", "review")
    Project.objects.filter(pk=gone.pk).delete()
    response = login("publisher").get(reverse("admin:index"))
    html = response.content.decode()
    assert "待我审核（1）" in html
    assert str(waiting) in html and "3\xa0日" in html
    assert "我的稿件" not in html


def test_an_editor_sees_their_submissions_with_state_and_latest_comment(login):
    editor = login("editor")
    draft = make_row("article", "review", author=editor.user)
    ReviewComment.objects.create(
        content_type=ContentType.objects.get_for_model(draft),
        object_id=draft.pk,
        author=make_staff(PUBLISHER),
        text="请补充图片说明",
    )
    html = editor.get(reverse("admin:index")).content.decode()
    assert "我的稿件（1）" in html and "待审核" in html and "请补充图片说明" in html
    assert "待我审核" not in html


def test_a_reporter_sees_no_queue(login):
    make_row("person", "review")
    html = login("reporter").get(reverse("admin:index")).content.decode()
    assert "待我审核" not in html and "我的稿件" not in html


@pytest.mark.parametrize("count", [1, 20])
def test_the_admin_index_queries_do_not_grow_with_the_queue(
    login, django_assert_max_num_queries, count
):
    client = login("publisher")
    for kind in KINDS:
        for _ in range(count):
            make_row(kind, "review", author=client.user)
    with django_assert_max_num_queries(INDEX_QUERIES):
        response = client.get(reverse("admin:index"))
    html = response.content.decode()
    assert f"待我审核（{3 * count}）" in html and f"我的稿件（{3 * count}）" in html


# Review comments stay in the newsroom

SECRET = "内部意见：此稿暂缓"


def test_the_preview_of_a_draft_with_a_comment_is_404_for_anonymous(login):
    draft = make_row("article", "review")
    publisher = login("publisher")
    approve(publisher, draft, verdict="reject", comment=SECRET)
    assert SECRET in publisher.get(change_url(draft)).content.decode()
    assert Client().get(draft.get_preview_url()).status_code == 404


def test_review_comments_are_on_no_public_page(login):
    live = make_article(title="援疆医生义诊")
    save_copy(login("editor"), live, submit=True, title="援疆医生义诊活动")
    approve(login("publisher"), live, verdict="reject", comment=SECRET)
    assert ReviewComment.objects.filter(text=SECRET).exists()
    anonymous = Client()
    pages = [
        reverse("home"),
        reverse("articles:list"),
        live.get_absolute_url(),
        reverse("search") + "?q=义诊",
        reverse("feed"),
    ]
    for url in pages:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        assert "援疆医生义诊" in response.content.decode(), url
        assert SECRET not in response.content.decode(), url


# States change only by transitions


# The state the first version was saved in, the list action that moved the
# row on, and the state the row is in after it (and after the revert).
REVERTS = {
    "published-then-withdrawn": ("published", "withdraw", "withdrawn"),
    "draft-then-published": ("draft", "publish", "published"),
}


@pytest.mark.parametrize("case", REVERTS)
def test_a_publishers_revert_of_history_keeps_the_status(login, case):
    first_state, action, now = REVERTS[case]
    article = make_article(title="第一版标题", status=first_state)
    first = article.history.get()
    publisher = login("publisher")
    publisher.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk]},
    )
    article.refresh_from_db()
    assert article.status == now
    version = reverse(
        "admin:articles_article_simple_history", args=[article.pk, first.history_id]
    )
    page = publisher.get(version)
    assert page.context["adminform"].form["status"].value() == first_state
    response = publisher.post(version, posted_form(page, "images"))
    assert response.status_code == 302, form_errors(response)
    article.refresh_from_db()
    assert (article.title, article.status) == ("第一版标题", now)
    # No transition but the list action's (a revert may be logged as one).
    transitions = acts().exclude(action="revert")
    assert list(transitions.values_list("action", flat=True)) == [action]


def test_an_editors_restore_of_a_deleted_live_article_is_a_draft(login):
    article = make_article()
    login("publisher").post(
        reverse("admin:articles_article_delete", args=[article.pk]), {"post": "yes"}
    )
    response = login("editor").post(
        reverse("admin:articles_article_deleted"), restore_form(Article, article.pk)
    )
    assert response.status_code == 302
    restored = Article.objects.get(pk=article.pk)
    assert restored.get_status_display() == "草稿"
    assert not Article.objects.published().filter(pk=article.pk).exists()


def test_a_working_copy_not_yet_sent_to_review_cannot_be_approved(login):
    live = make_article(title="原来的标题", status=Article.Status.PUBLISHED)
    save_copy(login("editor"), live, title="还在改的标题")
    before = workflow_snapshot()
    response = approve(login("publisher"), live)
    assert response.status_code == 200
    assert "这条记录没有待审核的修改稿" in response.content.decode()
    assert workflow_snapshot() == before


def test_the_review_page_offers_the_verdicts_as_radio_buttons(login):
    """A browser can pick a verdict only from inputs: options outside a
    select are no control at all."""
    live = make_article(title="援疆医生开展新技朮")
    login("editor").post(
        change_url(live),
        {**article_post(live, title="援疆医生开展新技术"), "_submit": "1"},
    )
    html = login("publisher").get(review_url(live)).content.decode()
    for value in ("approve", "reject", "comment"):
        assert f'type="radio" name="verdict" value="{value}"' in html
    assert (
        "<option" not in html.split('class="review-choices"')[1].split("</fieldset>")[0]
    )


def test_a_working_copy_changes_only_the_fields_the_editor_changed(login):
    """The admin form shows times to the minute: a publish time stored to the
    microsecond (as the publish transition stamps it) and sent back as the
    form shows it is no change the reviewer should see, nor one the approval
    should write."""
    live = make_article(title="援疆医生开展新技朮")
    assert live.published_at.microsecond
    stored = live.published_at
    shown = f"{timezone.localtime(stored):%H:%M}"
    login("editor").post(
        change_url(live),
        {
            **article_post(live, title="援疆医生开展新技术", published_at_1=shown),
            "_submit": "1",
        },
    )
    publisher = login("publisher")
    page = publisher.get(review_url(live))
    assert [change.label for change in page.context["changes"]] == ["标题"]
    seen = page.context["form"].initial["seen"]
    publisher.post(review_url(live), {"verdict": "approve", "seen": seen})
    live.refresh_from_db()
    assert live.title == "援疆医生开展新技术"
    assert live.published_at == stored
