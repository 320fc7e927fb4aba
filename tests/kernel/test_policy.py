"""The publishing policy's answers, asked directly (the admin, the trash,
the importers and the media gate ask the same functions: test_roles.py
tries them through the admin)."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser, Permission, User
from django.utils import timezone

from aidportal.kernel.policy import (
    is_guarded,
    may_change,
    may_publish,
    may_see_unpublished,
    unpublished_unless_allowed,
)
from articles.models import Article, Channel
from personnel.models import Assignment, Person, Unit
from projects.models import Project
from tests.builders import (
    EDITOR,
    PUBLISHER,
    REPORTER,
    make_article,
    make_assignment,
    make_channel,
    make_person,
    make_staff,
)

pytestmark = pytest.mark.django_db

LATER = timezone.now() + timedelta(days=3)
EARLIER = timezone.now() - timedelta(days=3)


@pytest.fixture
def staff():
    return {role: make_staff(role) for role in (EDITOR, PUBLISHER, REPORTER)}


@pytest.mark.parametrize(
    ("fields", "guarded"),
    [
        ({"status": Article.Status.DRAFT}, False),
        ({"status": Article.Status.DRAFT, "published_at": LATER}, False),
        ({"status": Article.Status.PUBLISHED}, True),
        # Scheduled: not public yet, but on its way without anyone's action.
        ({"status": Article.Status.PUBLISHED, "published_at": LATER}, True),
        # Expired: the public saw it.
        (
            {
                "status": Article.Status.PUBLISHED,
                "published_at": EARLIER - timedelta(days=1),
                "expires_at": EARLIER,
            },
            True,
        ),
        ({"status": Article.Status.ARCHIVED}, True),
    ],
    ids=["draft", "draft-dated", "live", "scheduled", "expired", "archived"],
)
def test_an_article_is_guarded_once_the_public_sees_or_saw_it(fields, guarded):
    assert is_guarded(make_article(**fields)) is guarded


def test_roster_rows_are_guarded_while_their_person_is_public():
    assignment = make_assignment(name="公开者")
    hidden = make_assignment(name="隐藏者", is_public=False)
    assert is_guarded(assignment.person) and is_guarded(assignment)
    assert is_guarded(assignment.sending_unit)
    assert not is_guarded(hidden.person) and not is_guarded(hidden)
    assert not is_guarded(Unit.objects.create(name="无人派出的单位"))


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(EDITOR, False), (PUBLISHER, True), (REPORTER, False)],
    ids=["editor", "publisher", "reporter"],
)
def test_who_may_publish(staff, role, allowed):
    for model in (Article, Project, Person, Assignment, Unit):
        assert may_publish(staff[role], model) is allowed


def test_the_system_may_do_everything():
    live = make_article(status=Article.Status.PUBLISHED)
    assert may_publish(None, Article)
    assert may_change(None, live)
    assert not unpublished_unless_allowed(None, live)
    assert live.status == Article.Status.PUBLISHED


def test_an_editor_changes_drafts_only_and_a_publisher_anything(staff):
    draft = make_article(status=Article.Status.DRAFT)
    archived = make_article(status=Article.Status.ARCHIVED)
    person = make_person()
    assert may_change(staff[EDITOR], draft)
    assert not may_change(staff[EDITOR], archived)
    assert not may_change(staff[EDITOR], person)
    assert may_change(staff[PUBLISHER], archived)
    assert may_change(staff[PUBLISHER], person)


def test_any_row_and_rows_nobody_publishes_are_left_to_the_model_permission(staff):
    # The changelist asks about no row; a channel is not published content.
    assert may_change(staff[EDITOR], None)
    assert may_change(staff[EDITOR], make_channel())
    assert not hasattr(Channel, "publish_permission")


@pytest.mark.parametrize(
    ("make", "field", "taken_down"),
    [
        (lambda: make_article(status=Article.Status.PUBLISHED), "status", "draft"),
        (lambda: make_article(status=Article.Status.ARCHIVED), "status", "draft"),
        (lambda: make_person(), "status", "draft"),
    ],
    ids=["live", "archived", "public-person"],
)
def test_what_an_editor_brings_back_comes_unpublished(staff, make, field, taken_down):
    row = make()
    kept = getattr(row, field)
    assert not unpublished_unless_allowed(staff[PUBLISHER], row)
    assert getattr(row, field) == kept
    assert unpublished_unless_allowed(staff[EDITOR], row)
    assert getattr(row, field) == taken_down
    # Nothing is saved: the caller saves once.
    row.refresh_from_db()
    assert getattr(row, field) == kept


def test_a_draft_is_left_as_it_is():
    draft = make_article(status=Article.Status.DRAFT)
    assert not unpublished_unless_allowed(make_staff(EDITOR), draft)
    assert draft.status == Article.Status.DRAFT


@pytest.mark.parametrize(
    ("role", "model", "allowed"),
    [
        (EDITOR, Article, True),
        (PUBLISHER, Project, True),
        (EDITOR, Person, True),
        # A reporter may view the roster in the admin, not its hidden rows.
        (REPORTER, Person, False),
        (REPORTER, Article, False),
    ],
)
def test_who_sees_unpublished_content(staff, role, model, allowed):
    assert may_see_unpublished(staff[role], model) is allowed


def test_view_permission_alone_shows_nothing_unpublished():
    viewer = User.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_article"))
    assert not may_see_unpublished(User.objects.get(pk=viewer.pk), Article)


def test_leaving_the_newsroom_ends_the_previews(staff):
    editor = staff[EDITOR]
    editor.is_staff = False
    assert not may_see_unpublished(editor, Article)
    editor.is_staff, editor.is_active = True, False
    assert not may_see_unpublished(editor, Article)
    assert not may_see_unpublished(AnonymousUser(), Article)
