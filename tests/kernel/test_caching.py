"""The page cache (aidportal.kernel.caching): anonymous pages from the cache,
conditional GETs, invalidation by content changes and by the clock, what is
never cached; and the queries of the pages once the blocks are warm."""

import os
import threading
import time
from datetime import date, timedelta
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.core.cache import cache, caches
from django.core.cache.backends.redis import RedisCache
from django.db import connection, transaction
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.http import http_date

from aidportal.kernel import caching
from articles.models import Article, Channel
from personnel.models import Person
from projects.models import Project
from tests.builders import (
    PUBLISHER,
    article_post,
    make_article,
    make_assignment,
    make_batch,
    make_channel,
    make_project,
    make_staff,
    make_unit,
    posted_form,
)

pytestmark = pytest.mark.django_db

REDIS_URL = "redis://127.0.0.1:6379/15"
# Other test runs may share the database: this run's keys only, cleared by
# prefix rather than by FLUSHDB.
REDIS_PREFIX = f"aidportal-test-{os.getpid()}"


def redis_client():
    import redis

    return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1)


def redis_reachable():
    import redis

    try:
        return redis_client().ping()
    except redis.RedisError:
        return False


def clear_redis():
    client = redis_client()
    keys = list(client.scan_iter(f"{REDIS_PREFIX}:*"))
    if keys:
        client.delete(*keys)


@pytest.fixture
def redis_cache(settings, transactional_db):
    """The page cache on, in the real Redis (database 15, this run's keys
    emptied before and after)."""
    if not redis_reachable():
        message = f"Redis is not reachable at {REDIS_URL}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(f"{message} (start redis-server to run these tests)")
    settings.CACHES = {
        "default": {
            "BACKEND": "aidportal.kernel.resilient_cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": REDIS_PREFIX,
        }
    }
    assert isinstance(caches["default"], RedisCache)
    clear_redis()
    settings.PAGE_CACHE_SECONDS = 300
    yield cache
    clear_redis()


@pytest.fixture(params=["locmem", "redis"])
def site_cache(request, transactional_db):
    """The page cache on, in the process (LocMemCache) or in Redis."""
    return request.getfixturevalue(
        "page_cache" if request.param == "locmem" else "redis_cache"
    )


@pytest.fixture
def site():
    """One published article, project and person, all found by 援疆."""
    channel = make_channel(name="前方纪实", slug="news")
    article = make_article(channel=channel, title="援疆医生在阿克苏开展新技术")
    make_project(name="阿克苏援疆学校")
    make_assignment(name="王芳", position="援疆数学教师")
    return SimpleNamespace(article=article, channel=channel)


PAGES = {
    "home": lambda site: reverse("home"),
    "articles": lambda site: reverse("articles:list"),
    "article": lambda site: site.article.get_absolute_url(),
    "projects": lambda site: reverse("projects:list"),
    "personnel": lambda site: reverse("personnel:list"),
    "search": lambda site: reverse("search") + "?" + urlencode({"q": "援疆"}),
}


@pytest.fixture(params=PAGES.values(), ids=PAGES.keys())
def page(request, site):
    return request.param(site)


# Searches are answered but not kept (test_searches_are_answered_but_never_kept).
KEPT_PAGES = {name: url for name, url in PAGES.items() if name != "search"}


@pytest.fixture(params=KEPT_PAGES.values(), ids=KEPT_PAGES.keys())
def kept_page(request, site):
    return request.param(site)


def publish_action(admin_client, article, action="publish"):
    response = admin_client.post(
        reverse("admin:articles_article_changelist"),
        {"action": action, "_selected_action": [article.pk]},
    )
    assert response.status_code == 302


# Anonymous pages: from the cache, and 304


def test_anonymous_page_is_sent_with_validators_and_public_cache_control(
    client, site_cache, page
):
    response = client.get(page)
    assert response.status_code == 200
    assert response["ETag"].startswith('W/"')
    assert response["Last-Modified"].endswith("GMT")
    cache_control = response["Cache-Control"]
    assert "public" in cache_control
    assert "max-age=60" in cache_control
    assert "private" not in cache_control
    assert response.templates, "the first request renders the page"


def test_pages_and_the_site_version_are_kept_in_redis(client, redis_cache, site):
    client.get(reverse("articles:list"))
    keys = {key.decode() for key in redis_client().scan_iter(f"{REDIS_PREFIX}:*")}
    assert f"{REDIS_PREFIX}:1:{caching.VERSION_KEY}" in keys
    assert any(key.startswith(f"{REDIS_PREFIX}:1:page:") for key in keys)


def test_second_anonymous_get_is_served_from_the_cache_without_a_query(
    client, site_cache, kept_page, django_assert_num_queries
):
    first = client.get(kept_page)
    with django_assert_num_queries(0):
        second = client.get(kept_page)
    assert second.status_code == 200
    assert second.content == first.content
    assert second["ETag"] == first["ETag"]
    assert second.templates == []


@pytest.mark.parametrize("validator", ["If-None-Match", "If-Modified-Since"])
def test_conditional_get_is_answered_304_without_query_or_render(
    client, site_cache, page, validator, django_assert_num_queries
):
    first = client.get(page)
    value = first["ETag" if validator == "If-None-Match" else "Last-Modified"]
    with django_assert_num_queries(0):
        response = client.get(page, headers={validator: value})
    assert response.status_code == 304
    assert response.content == b""
    assert response.templates == []
    assert response["ETag"] == first["ETag"]
    assert response["Last-Modified"] == first["Last-Modified"]
    assert "public" in response["Cache-Control"]


def test_conditional_get_with_other_validators_gets_the_page(client, page_cache, site):
    url = reverse("articles:list")
    first = client.get(url)
    modified = caching.site_version() // 1_000_000_000
    for headers in [
        {"If-None-Match": '"0-0000000000000000"'},
        {"If-None-Match": f'"{caching.site_version():x}-0000000000000000"'},
        {"If-Modified-Since": http_date(modified - 1)},
    ]:
        response = client.get(url, headers=headers)
        assert response.status_code == 200, headers
        assert response.content == first.content


def test_etag_differs_between_pages_and_query_strings(client, page_cache, site):
    tags = {
        client.get(url)["ETag"]
        for url in [
            reverse("articles:list"),
            reverse("articles:list") + "?channel=news",
            reverse("projects:list"),
        ]
    }
    assert len(tags) == 3


def test_cached_page_of_one_query_string_is_not_served_for_another(
    client, page_cache, site
):
    other = make_channel(name="援疆人物", slug="people")
    make_article(channel=other, title="援疆人物专访")
    url = reverse("articles:list")
    client.get(url + "?channel=news")
    response = client.get(url + "?channel=people")
    assert "援疆人物专访" in response.content.decode()
    assert "援疆医生在阿克苏开展新技术" not in response.content.decode()


def test_each_allowed_host_has_its_own_cached_pages(client, page_cache, site, settings):
    settings.ALLOWED_HOSTS = ["aid.example.org", "www.aid.example.org"]
    url = reverse("articles:list")
    client.get(url, HTTP_HOST="aid.example.org")
    response = client.get(url, HTTP_HOST="www.aid.example.org")
    assert response.templates, "rendered, not the other host's page"
    assert 'href="http://www.aid.example.org/articles/"' in response.content.decode()


# Invalidation by content changes


def test_publishing_a_draft_through_the_admin_shows_it_on_cached_pages(
    client, admin_client, site_cache, site
):
    draft = make_article(
        channel=site.channel, title="援疆教师公开课", status=Article.Status.DRAFT
    )
    url = reverse("articles:list")
    before = client.get(url)
    assert "援疆教师公开课" not in before.content.decode()
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.get(url).templates == [], "the list is cached"

    publish_action(admin_client, draft)

    after = client.get(url)
    assert "援疆教师公开课" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    assert client.get(draft.get_absolute_url()).status_code == 200
    stale = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert stale.status_code == 200
    assert "援疆教师公开课" in stale.content.decode()


def test_unpublishing_through_the_admin_removes_it_from_cached_pages(
    client, admin_client, page_cache, site
):
    url = site.article.get_absolute_url()
    assert client.get(url).status_code == 200
    assert "援疆医生在阿克苏开展新技术" in client.get(reverse("home")).content.decode()

    publish_action(admin_client, site.article, action="withdraw")

    assert client.get(url).status_code == 404
    assert (
        "援疆医生在阿克苏开展新技术" not in client.get(reverse("home")).content.decode()
    )


def test_editing_a_title_through_the_admin_shows_it_on_cached_pages(
    client, admin_client, site_cache, site
):
    article = site.article
    urls = [article.get_absolute_url(), reverse("articles:list"), reverse("home")]
    before = {url: client.get(url) for url in urls}
    assert all(
        "援疆医生在阿克苏开展新技术" in r.content.decode() for r in before.values()
    )

    response = admin_client.post(
        reverse("admin:articles_article_change", args=[article.pk]),
        article_post(article, title="援疆医生完成首台新技术手术"),
    )
    assert response.status_code == 302

    for url, old in before.items():
        fresh = client.get(url)
        assert "援疆医生完成首台新技术手术" in fresh.content.decode(), url
        assert "援疆医生在阿克苏开展新技术" not in fresh.content.decode(), url
        again = client.get(url, headers={"If-None-Match": old["ETag"]})
        assert again.status_code == 200, url


def test_changes_made_outside_the_admin_invalidate_too(client, page_cache, site):
    url = reverse("personnel:list")
    assert "王芳" in client.get(url).content.decode()
    Person.objects.filter(name="王芳").get().delete()
    assert "王芳" not in client.get(url).content.decode()
    make_assignment(name="李伟", receiving_unit=make_unit("阿克苏市第二中学"))
    assert "李伟" in client.get(url).content.decode()


def test_renaming_a_channel_changes_the_navigation_of_cached_pages(
    client, page_cache, site
):
    assert "前方纪实" in client.get(reverse("projects:list")).content.decode()
    site.channel.name = "后方来信"
    site.channel.save()
    content = client.get(reverse("projects:list")).content.decode()
    assert "后方来信" in content
    assert "前方纪实" not in content


def test_a_related_person_added_to_an_article_shows_on_its_cached_page(
    client, page_cache, site
):
    person = Person.objects.get(name="王芳")
    url = site.article.get_absolute_url()
    assert person.get_absolute_url() not in client.get(url).content.decode()
    site.article.people.add(person)  # m2m_changed, no post_save of the article
    assert person.get_absolute_url() in client.get(url).content.decode()


# Invalidation by the clock


def test_scheduled_article_appears_on_cached_pages_when_its_time_comes(
    client, site_cache, site, clock
):
    make_article(
        channel=site.channel,
        title="定时发布的援疆报道",
        published_at=timezone.now() + timedelta(hours=1),
    )
    url = reverse("articles:list")
    before = client.get(url)
    assert "定时发布的援疆报道" not in before.content.decode()
    assert client.get(url).templates == [], "the list is cached"

    clock(timedelta(hours=1, seconds=1))

    after = client.get(url)
    assert "定时发布的援疆报道" in after.content.decode()
    assert after["ETag"] != before["ETag"]
    revalidated = client.get(url, headers={"If-None-Match": before["ETag"]})
    assert revalidated.status_code == 200


def test_expiring_article_leaves_cached_pages_when_its_time_comes(
    client, page_cache, site, clock
):
    site.article.expires_at = timezone.now() + timedelta(minutes=10)
    site.article.save()
    url = reverse("articles:list")
    assert "援疆医生在阿克苏开展新技术" in client.get(url).content.decode()

    clock(timedelta(minutes=10, seconds=1))

    assert "援疆医生在阿克苏开展新技术" not in client.get(url).content.decode()
    assert client.get(site.article.get_absolute_url()).status_code == 404


def test_scheduled_article_appears_after_a_real_wait(client, page_cache, site):
    published_at = timezone.now() + timedelta(seconds=2)
    make_article(
        channel=site.channel, title="稍后发布的报道", published_at=published_at
    )
    url = reverse("articles:list")
    first = client.get(url)
    assert "稍后发布的报道" not in first.content.decode()
    time.sleep(max(0, (published_at - timezone.now()).total_seconds()) + 0.2)
    assert "稍后发布的报道" in client.get(url).content.decode()


def test_next_scheduled_change_is_the_nearest_publication_or_expiry(page_cache):
    now = timezone.now()
    assert caching.next_scheduled_change() is None
    make_article(published_at=now + timedelta(hours=3))
    make_article(
        published_at=now - timedelta(hours=1), expires_at=now + timedelta(days=2)
    )
    make_project(published_at=now + timedelta(hours=2))
    # Drafts are never published by the clock.
    make_article(status=Article.Status.DRAFT, published_at=now + timedelta(hours=1))
    make_project(status=Project.Status.DRAFT, published_at=now + timedelta(hours=1))
    expected = (now + timedelta(hours=2)).timestamp()
    assert caching.next_scheduled_change() == pytest.approx(expected, abs=1e-3)


def test_next_scheduled_change_passing_bumps_the_site_version(page_cache, clock):
    make_article(published_at=timezone.now() + timedelta(minutes=5))
    version = caching.site_version()
    assert caching.next_scheduled_change() > time.time()
    clock(timedelta(minutes=6))
    middleware = caching.PageCacheMiddleware(
        lambda request: HttpResponse("页面", content_type="text/html; charset=utf-8")
    )
    middleware(RequestFactory().get("/"))
    assert caching.site_version() > version
    assert caching.next_scheduled_change() is None


# The day changes, not the content


def test_roster_is_not_answered_304_after_the_day_has_changed(
    client, page_cache, monkeypatch
):
    today = timezone.localdate()
    make_assignment(name="王芳", arrived_on=today - timedelta(days=500), left_on=today)
    url = reverse("personnel:list")
    first = client.get(url)
    assert first.context["facets"]["in_post"].in_post == 1

    tomorrow = timezone.now() + timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: tomorrow)
    # The browser revalidates once its max-age has passed.
    response = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert response.status_code == 200, (
        "yesterday's roster (今天在岗 1, a link to yesterday's date) must not "
        "be confirmed as current: the content did not change, the day did"
    )
    assert response.context["facets"]["in_post"].in_post == 0


# Never cached


def test_staff_pages_are_never_cached_nor_served_from_the_cache(
    client, admin_client, page_cache, site
):
    url = reverse("articles:list")
    anonymous = client.get(url)
    assert "ETag" in anonymous
    # A change that sends no signal: anonymous visitors keep the cached page.
    Article.objects.filter(pk=site.article.pk).update(title="未经信号修改的标题")
    assert "援疆医生在阿克苏开展新技术" in client.get(url).content.decode()

    staff = admin_client.get(url)
    assert staff.status_code == 200
    assert "未经信号修改的标题" in staff.content.decode()
    assert "ETag" not in staff
    assert "Last-Modified" not in staff
    assert "public" not in staff.get("Cache-Control", "")
    assert staff.templates, "rendered for the staff member"
    assert (
        admin_client.get(url, headers={"If-None-Match": anonymous["ETag"]}).status_code
        == 200
    )


def test_staff_requests_do_not_fill_the_cache(client, admin_client, page_cache, site):
    url = reverse("articles:list")
    admin_client.get(url)
    response = client.get(url)
    assert response.templates, "the anonymous request renders the page itself"


@pytest.mark.parametrize("model", ["article", "project"])
def test_previews_are_never_cached(client, admin_client, page_cache, model):
    if model == "article":
        row = make_article(title="草稿预览", status=Article.Status.DRAFT)
        objects = Article.objects
        field = "title"
    else:
        row = make_project(name="草稿预览", status=Project.Status.DRAFT)
        objects = Project.objects
        field = "name"
    url = row.get_preview_url()
    first = admin_client.get(url)
    assert first.status_code == 200
    assert "ETag" not in first
    assert "no-store" in first["Cache-Control"]
    assert "private" in first["Cache-Control"]
    objects.filter(pk=row.pk).update(**{field: "改过的草稿预览"})
    assert "改过的草稿预览" in admin_client.get(url).content.decode()
    # Anonymous visitors get a 404, which is not cached either.
    anonymous = client.get(url)
    assert anonymous.status_code == 404
    assert "ETag" not in anonymous


def test_post_requests_are_not_cached(client, page_cache, site):
    url = reverse("articles:list")
    cached = client.get(url)
    response = client.post(url, {"q": "援疆"})
    assert response.status_code == 405
    assert "ETag" not in response
    assert (
        client.post(url, headers={"If-None-Match": cached["ETag"]}).status_code == 405
    )


def test_admin_pages_are_not_cached(client, admin_client, page_cache, site):
    login = reverse("admin:login")
    for _ in range(2):
        response = client.get(login)
        assert response.status_code == 200
        assert "ETag" not in response
        assert response.templates
    changelist = reverse("admin:articles_article_changelist")
    assert "ETag" not in admin_client.get(changelist)
    Article.objects.filter(pk=site.article.pk).update(title="后台看到的新标题")
    assert "后台看到的新标题" in admin_client.get(changelist).content.decode()


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
def test_exports_are_built_files_not_cached_pages(client, redis_cache, site, fmt):
    """An export is a file kept per site version (aidportal.kernel.downloads), never
    an entry of the page cache."""
    before = page_keys()
    response = client.get(reverse(f"personnel:export-{fmt}"))
    assert response.status_code == 200
    assert response.streaming
    assert "Last-Modified" not in response
    assert page_keys() == before


def test_not_found_pages_are_not_cached(client, page_cache, site):
    url = reverse("articles:detail", args=[site.article.pk + 1000])
    assert client.get(url).status_code == 404
    assert "ETag" not in client.get(url)


def test_page_cache_off_sends_no_validators(client, site):
    response = client.get(reverse("articles:list"))
    assert "ETag" not in response
    assert "Last-Modified" not in response


# Queries once the navigation and home blocks are warm (page cache off)


def fill(rows):
    channel = make_channel(name="援建动态", slug="news")
    unit = make_unit("阿克苏市第一中学")
    now = timezone.now()
    for number in range(rows):
        make_article(
            channel=channel,
            title=f"援疆报道{number}",
            featured=number < 4,
            published_at=now - timedelta(hours=number + 1),
        )
        make_project(name=f"援疆项目{number}")
        make_assignment(
            name=f"援疆人{number}",
            receiving_unit=unit,
            batch=make_batch(10 - number % 3),
        )


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # featured articles, latest articles (navigation, the channel blocks,
        # project totals and roster figures are cached blocks)
        (reverse("home"), 2),
        # paginator count, page rows, channel choices of the filter form
        (reverse("articles:list"), 3),
        # statistics (one union of the groupings), paginator count, page rows
        (reverse("projects:list"), 3),
        # facets (one union), paginator count, page rows
        (reverse("personnel:list"), 3),
        # first rows of articles, projects and people, each with its count
        (reverse("search") + "?" + urlencode({"q": "援疆"}), 3),
        # the article and its gallery (neighbours and related: a block)
        (lambda: Article.objects.published().first().get_absolute_url(), 2),
    ],
    ids=["home", "articles", "projects", "personnel", "search", "article"],
)
def test_pages_run_a_fixed_number_of_queries_once_blocks_are_warm(
    client, count_queries, url, expected
):
    for rows in (1, 30):
        Article.objects.all().delete()
        Project.objects.all().delete()
        Person.objects.all().delete()
        Channel.objects.all().delete()
        fill(rows)
        page = url() if callable(url) else url
        assert client.get(page).status_code == 200  # warms the blocks
        response, queries = count_queries(page)
        assert response.status_code == 200
        assert response.templates, "rendered, not from the page cache"
        assert queries == expected, f"{rows} rows"


# Invalidation after commit: a reader between save and commit


def old_page_view(request):
    """What a visitor's request sees while an edit is not yet committed: the
    committed, old state (the database isolates the open transaction)."""
    return HttpResponse("季成的页面", content_type="text/html; charset=utf-8")


@pytest.mark.django_db(transaction=True)
def test_a_page_cached_between_save_and_commit_does_not_outlive_the_commit(
    client, page_cache
):
    person = make_assignment(name="季成").person
    url = person.get_absolute_url()
    middleware = caching.PageCacheMiddleware(old_page_view)
    with transaction.atomic():
        person.status = Person.Status.WITHDRAWN
        person.save()
        served = middleware(RequestFactory().get(url))
        assert served.status_code == 200
    assert client.get(url).status_code == 404, "the takedown is public at once"


@pytest.mark.django_db(transaction=True)
def test_the_site_version_changes_only_when_the_change_is_committed(page_cache):
    person = make_assignment(name="季成").person
    before = caching.site_version()
    with transaction.atomic():
        person.status = Person.Status.WITHDRAWN
        person.save()
        assert caching.site_version() == before
    assert caching.site_version() > before


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_leaves_the_site_version(page_cache):
    person = make_assignment(name="季成").person
    before = caching.site_version()
    with pytest.raises(RuntimeError), transaction.atomic():
        person.status = Person.Status.WITHDRAWN
        person.save()
        raise RuntimeError("the admin's transaction fails")
    assert caching.site_version() == before
    with transaction.atomic():
        person = Person.objects.get(pk=person.pk)
        person.status = Person.Status.WITHDRAWN
        person.save()
    assert caching.site_version() > before, "a later change still invalidates"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="two connections at once: the SQLite test database lives in memory",
)
@pytest.mark.django_db(transaction=True)
def test_a_real_reader_during_the_takedown_does_not_keep_the_person_public(
    page_cache,
):
    """Two connections, as two gunicorn workers: one unticks 公开 and holds
    its transaction open while the other serves the person's page."""
    person = make_assignment(name="季成").person
    url = person.get_absolute_url()
    during = []

    def visitor():
        try:
            during.append(Client().get(url).status_code)
        finally:
            connection.close()

    with transaction.atomic():
        person.status = Person.Status.WITHDRAWN
        person.save()
        reader = threading.Thread(target=visitor)
        reader.start()
        reader.join(timeout=60)
    assert during == [200], "the reader saw the committed state"
    assert Client().get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_many_saves_in_one_transaction_change_the_version_once(page_cache, monkeypatch):
    bumps = []
    monkeypatch.setattr(caching, "set_site_version", lambda: bumps.append(1))
    with transaction.atomic():
        for number in range(5):
            make_assignment(name=f"人员{number}")
    assert bumps == [1]


# What the validators tell a visitor


def test_the_etag_does_not_carry_the_site_version(client, page_cache, site):
    response = client.get(reverse("articles:list"))
    version = caching.site_version()
    assert f"{version:x}" not in response["ETag"]
    assert str(version) not in response["ETag"]
    assert str(version // 1_000_000_000) not in response["ETag"]


def test_staff_saving_drafts_changes_no_validator(client, page_cache, site):
    """Drafts are nobody's business but the newsroom's: saving one, or hiding
    an already hidden person, keeps the cached pages and their validators."""
    url = reverse("articles:list")
    first = client.get(url)
    draft = make_article(channel=site.channel, status=Article.Status.DRAFT)
    draft.title = "改过的草稿标题"
    draft.save()
    Article.objects.get(pk=draft.pk).save()
    hidden = Person.objects.create(name="隐藏者", status=Person.Status.DRAFT)
    hidden.bio = "简介"
    hidden.save()
    again = client.get(url)
    assert again["ETag"] == first["ETag"]
    assert again["Last-Modified"] == first["Last-Modified"]
    assert again.templates == [], "still served from the cache"


def test_publishing_or_hiding_changes_the_validators(client, page_cache, site):
    url = reverse("articles:list")
    first = client.get(url)
    draft = make_article(channel=site.channel, status=Article.Status.DRAFT)
    draft.status = Article.Status.PUBLISHED
    draft.save()
    second = client.get(url)
    assert second["ETag"] != first["ETag"]
    person = Person.objects.get(name="王芳")
    person.status = Person.Status.WITHDRAWN
    person.save()
    assert client.get(url)["ETag"] != second["ETag"]


# What a page is kept under: the parameters its view reads


def page_keys():
    return {
        key.decode() for key in redis_client().scan_iter(f"{REDIS_PREFIX}:1:page:*")
    }


def test_unknown_parameters_share_the_page_and_reach_no_link(client, page_cache, site):
    url = reverse("articles:list")
    first = client.get(url + "?channel=news&utm_source=weixin&from=timeline")
    again = client.get(url + "?from=singlemessage&channel=news&isappinstalled=0")
    assert again.templates == [], "one entry for the page, whatever the junk"
    assert again["ETag"] == first["ETag"]
    assert client.get(url + "?channel=news")["ETag"] == first["ETag"]
    page = first.content.decode()
    assert "utm_source" not in page
    assert "weixin" not in page


def test_parameter_order_and_empty_values_make_one_entry(client, page_cache, site):
    make_assignment(name="周正")
    url = reverse("personnel:list")
    first = client.get(url + "?category=education&batch=10&sort=")
    second = client.get(url + "?batch=10&category=education")
    assert second.templates == []
    assert second["ETag"] == first["ETag"]


def test_searches_are_answered_but_never_kept(client, redis_cache, site):
    before = page_keys()
    for number in range(60):
        assert client.get(reverse("search"), {"q": f"援疆{number}"}).status_code == 200
        roster = client.get(reverse("personnel:list"), {"q": f"王{number}"})
        assert roster.status_code == 200
        client.get(reverse("personnel:list"), {"on": f"2021-07-{number % 28 + 1:02d}"})
    assert page_keys() == before
    client.get(reverse("personnel:list"))
    assert len(page_keys()) == len(before) + 1


def test_a_search_is_still_revalidated_by_its_etag(
    client, page_cache, site, django_assert_num_queries
):
    url = reverse("personnel:list") + "?q=王芳"
    first = client.get(url)
    assert "王芳" in first.content.decode()
    with django_assert_num_queries(0):
        again = client.get(url, headers={"If-None-Match": first["ETag"]})
    assert again.status_code == 304


def test_junk_parameters_make_no_new_entries(client, redis_cache, site):
    client.get(reverse("projects:list"))
    before = page_keys()
    for number in range(100):
        client.get(reverse("projects:list"), {f"x{number}": "1", "_": str(number)})
    assert page_keys() == before


@pytest.mark.django_db(transaction=True)
def test_reverting_to_an_unpublished_version_invalidates(page_cache):
    """A history revert saves an instance built from the record, never loaded
    from the database: its earlier state is unknown, so it counts as public."""
    article = make_article(status=Article.Status.DRAFT)
    first = article.history.earliest()
    article.status = Article.Status.PUBLISHED
    article.save()
    before = caching.site_version()
    first.instance.save()
    assert Article.objects.get(pk=article.pk).status == Article.Status.DRAFT
    assert caching.site_version() > before


def test_a_publisher_reverting_a_person_to_a_hidden_version_keeps_them_public(
    client, page_cache
):
    """A revert brings back what staff wrote, never a state: taking someone
    off the roster is the 撤回 step (aidportal.kernel.workflow)."""
    person = make_assignment(name="秘密人物", is_public=False).person
    hidden_version = person.history.earliest()
    person = Person.objects.get(pk=person.pk)
    person.status = Person.Status.PUBLISHED
    person.save()
    assert "秘密人物" in client.get(reverse("personnel:list")).content.decode()
    publisher = Client()
    publisher.force_login(make_staff(PUBLISHER))
    url = reverse(
        "admin:personnel_person_simple_history",
        args=[person.pk, hidden_version.history_id],
    )
    response = publisher.post(url, posted_form(publisher.get(url), "assignments"))
    assert response.status_code == 302
    assert Person.objects.get(pk=person.pk).is_public is True
    assert "秘密人物" in client.get(reverse("personnel:list")).content.decode()


def test_spellings_of_a_number_make_one_entry(client, redis_cache, site):
    make_project(name="阿克苏援建学校二期", start_date=date(2021, 3, 1))
    before = page_keys()
    urls = [
        reverse("projects:list"),
        *(
            reverse("projects:list") + f"?page={page}"
            for page in ("1", "01", "001", "%201", "+1")
        ),
        *(
            reverse("projects:list") + f"?year={year}"
            for year in ("2021", "02021", "2021.0", "2021.000", "%202021")
        ),
    ]
    for url in urls:
        assert client.get(url).status_code == 200, url
    assert len(page_keys()) == len(before) + 2
