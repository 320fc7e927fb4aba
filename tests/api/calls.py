"""Calls the API's tests make: an operation by name, a page's ids, a list
walked to its end."""

from django.urls import reverse


def get(client, name, params=None, **kwargs):
    return client.get(reverse(f"api:{name}", kwargs=kwargs or None), params or {})


def ids(response):
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def walk(client, name, params):
    """Every row of a list, following ``next`` to the end."""
    response = get(client, name, params)
    rows = []
    while True:
        rows += ids(response)
        if not (url := response.json()["next"]):
            return rows
        response = client.get(url)
