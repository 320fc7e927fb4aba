"""The admin index's review queues: 待我审核 for publishers, 我的稿件 for
everyone who writes."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.timesince import timesince

from aidportal.kernel import workflow
from aidportal.kernel.edits import staff_name

register = template.Library()


def _rows(submissions: list[workflow.Submission]) -> list[dict]:
    """Each submission with its row (one query per model), the latest
    comment (one query) and where to open it; rows deleted since are left
    out, so the counts are of what can be opened."""
    targets = {}
    for submission in submissions:
        targets.setdefault(submission.content_type, set()).add(submission.object_id)
    found = {
        content_type: content_type.model_class()._base_manager.in_bulk(pks)
        for content_type, pks in targets.items()
    }
    comments = workflow.latest_comments(submissions)
    rows = []
    for submission in submissions:
        target = found[submission.content_type].get(submission.object_id)
        if target is None:
            continue
        meta = target._meta
        view = "review" if submission.submitted_at else "change"
        waiting = submission.submitted_at or submission.updated_at
        rows.append(
            {
                "submission": submission,
                "target": target,
                "kind": meta.verbose_name,
                "author": staff_name(submission.author),
                "state": submission.state_label(),
                "age": timesince(waiting, timezone.now(), depth=1),
                "comment": comments.get(
                    (submission.content_type_id, submission.object_id)
                ),
                "url": reverse(
                    f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[target.pk]
                ),
            }
        )
    return rows


@register.inclusion_tag("admin/includes/review_queues.html", takes_context=True)
def review_queues(context):
    user = context["request"].user
    mine = workflow.my_submissions(user)
    return {
        "to_review": _rows(workflow.review_queue(user)),
        "reviews": any(
            user.has_perm(model.publish_permission())
            for model in workflow.workflow_models()
        ),
        "mine": _rows(mine),
    }
