"""Schemathesis over every operation of the OpenAPI schema: EXAMPLES generated
requests each (reproducible: derandomised), sent in-process through the WSGI
application, and every answer checked — no 5xx, a documented status and
content type, a body that matches the schema.

A detail operation's requests also name each row its list shows, so its 200
answers are checked too, not only its 404s. Runs on SQLite, and on
PostgreSQL when DATABASE_URL names one."""

import logging
import os
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.urls import reverse
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.checks import CHECKS, load_all_checks
from schemathesis.core.failures import FailureGroup, ServerError
from schemathesis.openapi.checks import JsonSchemaError

from aidportal.api import api
from personnel.models import Category
from projects.models import Project
from tests.api.schema import listed, lists, operations, operations_by_path
from tests.builders import (
    NOT_PUBLIC,
    make_article,
    make_assignment,
    make_batch,
    make_channel,
    make_person,
    make_project,
    make_term,
    make_unit,
)

pytestmark = pytest.mark.django_db

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "200"))
CHECK_NAMES = (
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_schema_conformance",
)
# The WSGI test client decodes no gzip: ask for the body as it is.
HEADERS = {"Accept-Encoding": "identity"}
FUZZ_SETTINGS = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # Only the generated examples (and shrinking, should one fail): no
    # targeting, no replay of an example database.
    phases=[Phase.explicit, Phase.generate, Phase.shrink],
    suppress_health_check=list(HealthCheck),
)
OPERATIONS = operations()


@pytest.fixture
def rows(db):
    """A little of every kind of content, public and hidden."""
    channel = make_channel(name="援疆动态", slug="news")
    make_article(title="援疆医生完成首台手术", channel=channel, featured=True)
    make_project(
        name="阿克苏市第一人民医院门诊楼",
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.COMPLETED,
        start_date=date(2021, 3, 1),
        investment=2791,
    )
    for label, fields in NOT_PUBLIC.items():
        make_article(title=f"隐藏文章{label}", channel=channel, **fields)
        make_project(name=f"隐藏项目{label}", **fields)
    hospital = make_unit("阿克苏市第一人民医院", kind="hospital", region="阿克苏市")
    sender = make_unit(
        "浙江大学医学院附属第一医院", short_name="浙大一院", aliases="浙一医院"
    )
    b10 = make_batch(
        10,
        start_earliest=date(2020, 3, 1),
        start_latest=date(2020, 3, 1),
        end_earliest=date(2022, 1, 1),
        end_latest=date(2022, 12, 31),
    )
    make_term(
        b10, "首期", start_earliest=date(2020, 3, 1), start_latest=date(2020, 3, 31)
    )
    make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        sending_unit=sender,
        receiving_unit=hospital,
        batch=b10,
        term="首期",
        arrived_on=date(2021, 7, 1),
    )
    make_assignment(person=make_person("吴 昊", bio="数学教师。"), batch=make_batch(9))
    make_assignment(
        name="隐藏者",
        is_public=False,
        batch=make_batch(11),
        sending_unit=make_unit("隐藏单位"),
    )


@contextmanager
def connection_kept():
    """WSGI requests as the test client makes them: a request's start and
    end must not close the test's connection (its transaction holds the
    rows; PostgreSQL's would be gone). The test client connects the signal
    again after each of its requests: this is entered after any."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def api_schema(db):
    with connection_kept():
        return schemathesis.openapi.from_wsgi(
            reverse("api:openapi-json"), WSGIHandler()
        )


@pytest.fixture(autouse=True)
def quiet_request_log():
    """Thousands of 400s and 404s: their warnings are expected, not news."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


def strategy(operation, client):
    """The operation's generated cases; for a detail, also each row its list
    shows (hypothesis draws each of those once: nothing else varies)."""
    generated = operation.as_strategy()
    detail = operations_by_path()[operation.path]
    values = listed(client, detail) if detail.collection else []
    if not values:
        return generated
    (name,) = detail.path_params
    known = [operation.as_strategy(path_parameters={name: value}) for value in values]
    return st.one_of(generated, st.one_of(known))


def fuzz(operation, client):
    """Run EXAMPLES cases of ``operation`` through every check; the statuses."""
    load_all_checks()
    checks = [CHECKS.get_one(name) for name in CHECK_NAMES]
    statuses = Counter()

    @FUZZ_SETTINGS
    @given(case=strategy(operation, client))
    def run(case):
        response = case.call_and_validate(headers=HEADERS, checks=checks)
        statuses[response.status_code] += 1

    with connection_kept():
        run()
    return statuses


@pytest.mark.parametrize(
    "path", [o.path for o in OPERATIONS], ids=[o.label for o in OPERATIONS]
)
def test_generated_requests_are_answered_as_the_schema_says(
    api_schema, client, rows, path, capsys
):
    operation = api_schema[path]["GET"]
    started = time.perf_counter()

    statuses = fuzz(operation, client)

    # An operation of no parameters has one request to make.
    varied = bool(operations_by_path()[path].spec.get("parameters"))
    assert sum(statuses.values()) >= (EXAMPLES if varied else 1)
    # Some requests reached rows: the 200 answers' bodies were checked.
    assert statuses[200] > 0, statuses
    with capsys.disabled():
        print(
            f"\n{operation.label}: {sum(statuses.values())} cases "
            f"{dict(sorted(statuses.items()))} in {time.perf_counter() - started:.1f} s"
        )


def test_every_operation_of_the_served_schema_is_fuzzed(api_schema):
    served = {result.ok().path for result in api_schema.get_all_operations()}
    assert served == {operation.path for operation in OPERATIONS}


# The checks can fail: a broken answer is caught.


def count_as_text(data):
    if isinstance(data, dict) and "count" in data:
        return {**data, "count": str(data["count"])}
    return data


def broken_renderer(monkeypatch, change):
    render = api.renderer.render

    def broken(request, data, *, response_status):
        return render(request, change(data), response_status=response_status)

    monkeypatch.setattr(api.renderer, "render", broken)


def failing(data):
    raise RuntimeError("a bug in the answer")


@pytest.mark.parametrize(
    ("change", "failure"),
    [(count_as_text, JsonSchemaError), (failing, ServerError)],
    ids=["a field of the wrong type", "a server error"],
)
def test_a_broken_answer_fails_the_checks(
    api_schema, client, rows, monkeypatch, settings, change, failure
):
    settings.DEBUG_PROPAGATE_EXCEPTIONS = False
    # The 500's traceback is the expected finding.
    monkeypatch.setattr(logging.getLogger("django.request"), "level", logging.CRITICAL)
    broken_renderer(monkeypatch, change)
    operation = api_schema[lists()[0].path]["GET"]

    with pytest.raises(FailureGroup) as caught:
        fuzz(operation, client)

    assert any(isinstance(found, failure) for found in caught.value.exceptions)
