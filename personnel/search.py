from django.utils.translation import gettext_lazy as _

from aidportal.kernel.chinese import normalize
from aidportal.kernel.search import SearchProvider
from personnel.models import Assignment, Person


def search_people(query):
    """Public people whose name, pinyin or initials match ``query``, or whose
    assignment's units or position do, by name."""
    key = normalize(query)
    if not key:
        return Person.objects.none()
    # A UNION of the two index searches: an OR of them would scan people.
    named = Person.objects.filter(search_text__substring=key)
    assigned = Assignment.objects.filter(search_text__substring=key)
    return (
        Person.objects.published()
        .filter(
            pk__in=named.order_by()
            .values("pk")
            .union(assigned.order_by().values("person_id"))
        )
        .order_by("name_key", "pk")
    )


provider = SearchProvider(
    "people", _("人员"), search_people, "personnel/includes/_search_result.html"
)
