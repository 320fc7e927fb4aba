"""The open-data API as its OpenAPI schema describes it: every operation, its
parameters, its lists walked to the end and the rows behind its details.

Tests read the operations from here, never from a list of their own, so an
operation an app adds is fuzzed, swept and crawled without touching them.
A detail operation is recognised by its path: a list's path and one
parameter (``/people/`` and ``/people/{id}/``); its rows are the values of
that parameter in the list's results.
"""

import re
from dataclasses import dataclass
from functools import cache

from django.urls import resolve

from aidportal.api import api

PARAMETER = re.compile(r"\{([^}]+)\}")


@dataclass(frozen=True)
class Operation:
    path: str  # as the schema writes it: /api/v1/people/{id}/
    spec: dict

    @property
    def label(self):
        return f"GET {self.path}"

    @property
    def query_params(self):
        return tuple(p["name"] for p in self.parameters("query"))

    @property
    def path_params(self):
        return tuple(PARAMETER.findall(self.path))

    def parameters(self, where):
        return [p for p in self.spec.get("parameters", []) if p["in"] == where]

    def minimum(self, name):
        """The least value a query parameter takes, when the schema says."""
        for parameter in self.parameters("query"):
            if parameter["name"] == name:
                return parameter.get("schema", {}).get("minimum")
        return None

    @property
    def collection(self):
        """The path of the list whose rows this detail operation shows, or
        None when it is not a detail (or its list is not in the schema)."""
        if len(self.path_params) != 1:
            return None
        head, _, tail = self.path.rstrip("/").rpartition("/")
        if not PARAMETER.fullmatch(tail):
            return None
        return head + "/" if head + "/" in operations_by_path() else None

    def url(self, **values):
        return PARAMETER.sub(lambda match: str(values[match.group(1)]), self.path)

    def url_name(self, **values):
        """The name reverse() knows the operation by (api:people …)."""
        filled = {name: values.get(name, 1) for name in self.path_params}
        return resolve(self.url(**filled)).view_name


@cache
def openapi():
    """The schema /api/v1/openapi.json serves."""
    return api.get_openapi_schema()


def operations():
    """Every GET operation of the schema, in its order."""
    return [
        Operation(path, spec)
        for path, methods in openapi()["paths"].items()
        for method, spec in methods.items()
        if method == "get"
    ]


def operations_by_path():
    return {operation.path: operation for operation in operations()}


def lists():
    """The operations that take no path parameter (lists and figures)."""
    return [operation for operation in operations() if not operation.path_params]


def details():
    """The detail operations whose rows their list names."""
    return [operation for operation in operations() if operation.collection]


def walk(client, url):
    """Every page of a list, following ``next`` to the end: [(url, response)]."""
    pages = []
    while url:
        response = client.get(url)
        pages.append((url, response))
        if response.status_code != 200:
            break
        body = response.json()
        url = body.get("next") if isinstance(body, dict) else None
        assert len(pages) <= 10_000, f"{url}: the pages do not end"
    return pages


def listed(client, detail):
    """The values of ``detail``'s path parameter over every row of its list."""
    (name,) = detail.path_params
    return [
        row[name]
        for _, response in walk(client, detail.collection)
        if response.status_code == 200
        for row in response.json().get("results", [])
    ]
