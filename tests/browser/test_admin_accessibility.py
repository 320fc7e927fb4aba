"""axe-core finds no critical or serious violation on the admin pages staff
work in: the change forms of an article, a project, a person, an
assignment, a unit, a batch and a channel, the roster import page and an
article's history."""

import pytest

from articles.models import Article, Channel
from personnel.models import Assignment, Batch, Person, Unit
from projects.models import Project
from tests.browser.conftest import DESKTOP


def first_pk(model):
    return model.objects.order_by("pk").values_list("pk", flat=True).first()


def article_with_choices():
    """The first article, with people and a project chosen in its
    autocomplete boxes (chosen items are list items axe checks)."""
    article = Article.objects.order_by("pk").first()
    article.people.set(Person.objects.order_by("pk")[:2])
    article.projects.set(Project.objects.order_by("pk")[:1])
    return f"/admin/articles/article/{article.pk}/change/"


PAGES = {
    "article": article_with_choices,
    "project": lambda: f"/admin/projects/project/{first_pk(Project)}/change/",
    "person": lambda: f"/admin/personnel/person/{first_pk(Person)}/change/",
    "assignment": lambda: f"/admin/personnel/assignment/{first_pk(Assignment)}/change/",
    "unit": lambda: f"/admin/personnel/unit/{first_pk(Unit)}/change/",
    "batch": lambda: f"/admin/personnel/batch/{first_pk(Batch)}/change/",
    "channel": lambda: f"/admin/articles/channel/{first_pk(Channel)}/change/",
    "import": lambda: "/admin/personnel/assignment/import/",
    "history": lambda: f"/admin/articles/article/{first_pk(Article)}/history/",
}


@pytest.mark.parametrize("name", PAGES)
def test_admin_page_has_no_serious_violations(
    name, demo, staff, open_page, log_in, axe
):
    page = open_page(DESKTOP)
    log_in(page, staff("发布", "fabu"))
    page.goto(PAGES[name]())
    page.wait_for_load_state("load")
    axe.assert_clean(page)
