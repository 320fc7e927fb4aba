"""Site search: published articles, projects and people for one query."""

from django.db.models import Q

from aidportal.chinese import normalize
from articles.models import Article
from personnel.models import Assignment, Person
from projects.models import Project


def site_search(query):
    """Querysets of what the public may see that matches ``query``, by type.

    Articles and projects: title matches first, then newest. People: anyone
    whose name, pinyin or initials match, or whose assignment's units or
    position do, by name.
    """
    key = normalize(query)
    people = Person.objects.published()
    if key:
        assigned = Assignment.objects.filter(search_text__substring=key)
        people = people.filter(
            Q(search_text__substring=key) | Q(pk__in=assigned.values("person"))
        ).order_by("name_key", "pk")
    else:
        people = people.none()
    return {
        "articles": Article.objects.published().search(query).for_listing(),
        "projects": Project.objects.published().search(query).for_listing(),
        "people": people,
    }
