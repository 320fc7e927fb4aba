import logging
from collections import Counter
from datetime import date, timedelta

import pytest
from django.test import Client
from django.utils import timezone

from articles.models import Article
from personnel.models import Category
from projects.models import Project
from tests.builders import (
    make_article,
    make_article_image,
    make_assignment,
    make_batch,
    make_channel,
    make_person,
    make_project,
    make_unit,
)
from tests.hostile.inputs import tally
from tests.hostile.pages import PAGES


@pytest.fixture
def site(db):
    """A little of everything, public and not: hostile input must not reach
    hidden rows, and valid input must reach real ones."""
    channel = make_channel(name="援疆动态", slug="news")
    article = make_article(title="援疆医生完成首台手术", channel=channel)
    image = make_article_image(article)
    draft_article = make_article(channel=channel, status=Article.Status.DRAFT)
    make_article(channel=channel, published_at=timezone.now() + timedelta(days=1))
    project = make_project(
        name="阿克苏市第一人民医院门诊楼",
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.COMPLETED,
        start_date=date(2021, 3, 1),
        investment=2791,
    )
    draft_project = make_project(status=Project.Status.DRAFT)
    hospital = make_unit("阿克苏市第一人民医院")
    sender = make_unit("浙江大学医学院附属第一医院", short_name="浙大一院")
    assignment = make_assignment(
        name="季成",
        category=Category.MEDICAL,
        sending_unit=sender,
        receiving_unit=hospital,
        arrived_on=date(2021, 7, 1),
    )
    make_assignment(name="隐藏者", is_public=False, batch=make_batch(11))
    make_assignment(person=make_person("吴 昊"), left_on=date(2022, 7, 1))
    article.projects.add(project)
    article.people.add(assignment.person)
    return {
        "channel": channel,
        "article": article,
        "draft_article": draft_article,
        "project": project,
        "draft_project": draft_project,
        "person": assignment.person,
        "media_path": "/media/" + image.image.name,
        "valid": {
            "q": ["季", "jc", "浙大一院"],
            "on": ["2021-07-01"],
            "year": ["2021"],
        },
    }


@pytest.fixture
def csrf_client():
    """A client that sends no CSRF token, as a browser or a bot would."""
    return Client(enforce_csrf_checks=True)


@pytest.fixture(autouse=True)
def quiet_request_log():
    """Thousands of 400s and 404s: their warnings are expected, not news."""
    logger = logging.getLogger("django.request")
    level = logger.level
    logger.setLevel(logging.ERROR)
    yield
    logger.setLevel(level)


@pytest.fixture(autouse=True)
def tally_in_report(request):
    """What the test added to the tally goes with its report, so the run's
    line adds up the tests of every worker process (pytest-xdist)."""
    before = tally.copy()
    yield
    request.node.user_properties.append(("hostile tally", dict(tally - before)))


def pytest_terminal_summary(terminalreporter):
    """One line of figures: how much hostile input the run tried."""
    tally = Counter()
    for reports in terminalreporter.stats.values():
        for report in reports:
            for name, value in getattr(report, "user_properties", ()):
                if name == "hostile tally" and report.when == "teardown":
                    tally.update(value)
    if not tally:
        return
    parts = []
    if tally["sweep parameters"]:
        parts.append(
            f"sweep {tally['sweep values']:,} values over "
            f"{tally['sweep parameters']} parameters "
            f"({tally['sweep values'] // tally['sweep parameters']} each), "
            f"{tally['sweep path values']} hostile paths"
        )
    if tally["fuzzed parameters"]:
        parts.append(
            f"fuzz {tally['fuzz examples']:,} examples over "
            f"{tally['fuzzed parameters']} parameters "
            f"({tally['fuzz examples'] // tally['fuzzed parameters']} each) "
            f"+ {tally['fuzz combination examples']:,} combinations"
        )
    parts.append(f"{tally['requests']:,} requests to {len(PAGES)} URLs")
    terminalreporter.write_line("hostile input: " + "; ".join(parts))
