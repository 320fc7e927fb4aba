from django.utils.translation import gettext_lazy as _

from aidportal.kernel.search import SearchProvider
from personnel.models import Person


def search_people(query):
    """Public people found by ``query``, by name."""
    return Person.objects.published().search(query).order_by("name_key", "pk")


provider = SearchProvider(
    "people", _("人员"), search_people, "personnel/includes/_search_result.html"
)
