from django.utils.translation import gettext_lazy as _

from aidportal.kernel.search import SearchProvider
from projects.models import Project


def search_projects(query):
    """Published projects matching ``query``: name matches first, then newest."""
    return Project.objects.published().search(query).for_listing()


provider = SearchProvider(
    "projects", _("项目"), search_projects, "projects/includes/_search_result.html"
)
