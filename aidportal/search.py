"""Site search: what each app gives it, in the order the page shows."""

from articles.search import provider as articles
from personnel.search import provider as people
from projects.search import provider as projects

PROVIDERS = [articles, projects, people]


def site_search(query):
    """{group name: queryset of what the public may see that matches}."""
    return {provider.name: provider.search(query) for provider in PROVIDERS}
