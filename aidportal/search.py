"""Site search: published articles, projects and people for one query."""

from aidportal.chinese import normalize
from articles.models import Article
from personnel.models import Person
from projects.models import Project


def site_search(query):
    """Querysets of what the public may see that matches ``query``, by type.

    Articles and projects: title matches first, then newest. People: anyone
    whose name, pinyin, units or position match, by name.
    """
    key = normalize(query)
    people = Person.objects.published()
    return {
        "articles": Article.objects.published().search(query).for_listing(),
        "projects": Project.objects.published().search(query).for_listing(),
        "people": (
            people.filter(
                pk__in=people.filter(assignments__search_text__contains=key).values(
                    "pk"
                )
            ).order_by("name_key", "pk")
            if key
            else people.none()
        ),
    }
