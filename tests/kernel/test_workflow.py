"""Review before publishing: an editor's edit of live content waits for a
publisher's approval; drafts go 草稿 → 待审核 → 已发布 (aidportal.kernel.workflow)."""

import pytest
from django.urls import reverse
from django.utils import timezone

from aidportal.kernel.audit import AuditEntry
from aidportal.kernel.workflow import ReviewComment, Submission
from articles.models import Article
from tests.builders import article_post, form_errors, make_article

pytestmark = pytest.mark.django_db


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
    assert AuditEntry.objects.filter(action="approve").count() == 1


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
