"""Site search: published articles, projects and people for one query."""

from aidportal.kernel.chinese import normalize
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
        # A UNION of the two index searches: an OR of them would scan people.
        named = Person.objects.filter(search_text__substring=key)
        assigned = Assignment.objects.filter(search_text__substring=key)
        people = people.filter(
            pk__in=named.order_by()
            .values("pk")
            .union(assigned.order_by().values("person_id"))
        ).order_by("name_key", "pk")
    else:
        people = people.none()
    return {
        "articles": Article.objects.published().search(query).for_listing(),
        "projects": Project.objects.published().search(query).for_listing(),
        "people": people,
    }
