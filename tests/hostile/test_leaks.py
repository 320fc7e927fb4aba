"""No draft leaks: a sentinel written into every non-public object is found
nowhere on the public site.

The crawler starts at / and the feeds, sitemap, robots.txt, searches and
exports, follows every same-site link breadth-first, and reads every page,
feed, CSV and XLSX (inside the zip) — as an anonymous visitor with the page
cache on, again from the cache, and as a logged-in reporter — after a staff
member has opened the previews of every draft.
"""

import io
import re
import secrets
import zipfile
from collections import Counter, deque
from datetime import date, timedelta
from html import escape, unescape
from pathlib import Path
from urllib.parse import quote, quote_plus, urljoin, urlsplit

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from aidportal.kernel.pictures import BodyPicture
from aidportal.kernel.traditional import to_traditional
from aidportal.kernel.workflow import ReviewComment, Submission
from articles.models import Article, Channel
from personnel.models import Category, Person
from projects.models import Project
from tests.api.schema import details, listed, lists, walk
from tests.builders import (
    REPORTER,
    article_post,
    form_errors,
    image_file,
    make_article,
    make_article_image,
    make_assignment,
    make_batch,
    make_channel,
    make_person,
    make_project,
    make_project_image,
    make_staff,
    make_unit,
    person_post,
)

PREFIX = "泄露哨兵"
# What staff write in review: comments, and working copies of live rows.
REVIEW_PREFIX = "审核哨兵"
SKIPPED_PREFIXES = ("/admin/", "/static/", "/media/")
# The 繁體 pages (/zh-hant/…) are crawled on their own (test_no_traditional_page_…):
# every page links to its other version, which would double each crawl.
TRADITIONAL = "/zh-hant/"
MAX_PAGES = 5000
# Facet links combine without end (batch × category × unit × sort × page …):
# follow at most this many URLs of each path and set of parameter names.
PER_SHAPE = 8
LINK = re.compile(r"""(?:href|src)\s*=\s*["']([^"']+)["']|<(?:loc|link)>([^<]+)</""")
SITE_HOSTS = {"", "testserver", "localhost", "127.0.0.1"}


@pytest.fixture
def sentinel():
    return PREFIX + secrets.token_hex(4)


def now():
    return timezone.now()


def hidden_statuses():
    """Every way an article or project is not public: (label, fields)."""
    return [
        ("draft", {"status": Article.Status.DRAFT}),
        ("archived", {"status": Article.Status.ARCHIVED}),
        ("scheduled", {"published_at": now() + timedelta(days=3)}),
        (
            "expired",
            {
                "published_at": now() - timedelta(days=10),
                "expires_at": now() - timedelta(days=1),
            },
        ),
        # Scheduled and a draft: two reasons at once.
        (
            "scheduled-draft",
            {"status": Article.Status.DRAFT, "published_at": now() + timedelta(days=3)},
        ),
    ]


@pytest.fixture
def content(db, sentinel):
    """Public content and, beside it and linked to it, hidden content that
    carries the sentinel in every text field."""
    s = sentinel
    token = s.removeprefix(PREFIX)
    channel = make_channel(name="援疆动态", slug="news")
    other_channel = make_channel(name="援建故事", slug="stories", in_navigation=False)
    hospital = make_unit("阿克苏市第一人民医院")
    sender = make_unit("浙江大学医学院附属第一医院", short_name="浙大一院")
    public_person = make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        sending_unit=sender,
        receiving_unit=hospital,
        arrived_on=date(2021, 7, 1),
    ).person
    make_assignment(
        name="王 芳", receiving_unit=make_unit("阿克苏市实验中学"), batch=make_batch(11)
    )
    public_project = make_project(
        name="阿克苏市第一人民医院门诊楼",
        sector=Project.Sector.HEALTH,
        stage=Project.Stage.COMPLETED,
        start_date=date(2021, 3, 1),
        investment=2791,
    )
    make_project_image(public_project)

    # A hidden person, in the same units and batch as a public one.
    hidden_person = make_person(
        s, bio=f"简介{s}", photo_alt=f"照片{s}", is_public=False
    )
    make_assignment(
        person=hidden_person,
        sending_unit=sender,
        receiving_unit=hospital,
        term=s[:20],
        position=f"职务{s}",
        arrived_on=date(2021, 7, 1),
    )
    make_assignment(
        person=hidden_person,
        batch=make_batch(11),
        sending_unit=sender,
        receiving_unit=hospital,
        position=f"二期{s}",
    )
    # A unit and a batch only the hidden person has: not public either.
    hidden_unit = make_unit(f"单位{s}", short_name=f"简称{s}", aliases=f"别名{s}")
    hidden_batch = make_batch(12)
    make_assignment(
        person=hidden_person,
        batch=hidden_batch,
        sending_unit=hidden_unit,
        receiving_unit=hospital,
        position=f"三期{s}",
    )

    hidden = {
        "articles": [],
        "projects": [],
        "people": [hidden_person],
        "units": [hidden_unit],
        "batches": [hidden_batch],
    }
    for label, fields in hidden_statuses():
        # A picture uploaded from the editor into the hidden body.
        upload = BodyPicture.objects.create(
            image=image_file(f"{token}-body.jpg"), alt=f"正文图{s}"
        )
        body_picture = (
            f'<figure><img src="{upload.image.url}" alt="正文图{s}" '
            f'data-file="{upload.reference}"><figcaption>图注{s}</figcaption></figure>'
        )
        article = make_article(
            channel=channel if label != "archived" else other_channel,
            title=f"{s}文章{label}",
            subtitle=f"副标题{s}",
            summary=f"摘要{s}",
            body=f"<p>正文{s}</p>{body_picture}",
            source=f"来源{s}",
            author=f"作者{s}",
            editor=f"编辑{s}",
            featured=True,
            cover=image_file(f"{token}-cover.jpg"),
            cover_alt=f"题图{s}",
            cover_caption=f"题图说明{s}",
            **fields,
        )
        make_article_image(
            article,
            image=image_file(f"{token}-gallery.jpg"),
            alt=f"组图{s}",
            caption=f"组图说明{s}",
        )
        article.projects.add(public_project)
        article.people.add(public_person, hidden_person)
        project = make_project(
            name=f"{s}项目{label}",
            summary=f"摘要{s}",
            body=f"<p>正文{s}</p>{body_picture}",
            location=f"地点{s}",
            partner=f"企业{s}",
            investment=987654,
            start_date=date(2019, 1, 1),
            cover=image_file(f"{token}-project.jpg"),
            cover_alt=f"题图{s}",
            cover_caption=f"题图说明{s}",
            **fields,
        )
        make_project_image(project, alt=f"项目图{s}", caption=f"项目图说明{s}")
        project.people.add(public_person, hidden_person)
        # Public content that links to the hidden: both ways.
        hidden["articles"].append(article)
        hidden["projects"].append(project)

    public_article = make_article(
        channel=channel, title="援疆医生完成首台手术", featured=True
    )
    make_article_image(public_article)
    public_article.projects.add(public_project, *hidden["projects"])
    public_article.people.add(public_person, hidden_person)
    public_project.people.add(public_person, hidden_person)
    make_article(channel=other_channel, title="援建故事一则")
    return hidden


def prefix_of(sentinel):
    """The Chinese word a sentinel starts with (PREFIX, REVIEW_PREFIX)."""
    return sentinel.rstrip("0123456789abcdef")


def markers(sentinel):
    """The sentinel, its word and its token, in simplified and in 繁體."""
    prefix = prefix_of(sentinel)
    simplified = [sentinel, prefix, sentinel.removeprefix(prefix)]
    return list(dict.fromkeys([*simplified, *map(to_traditional, simplified)]))


def echoes(query):
    """How a page may repeat the query it was asked: raw, escaped, encoded,
    and as a 繁體 page converts it."""
    return sorted(
        {
            echo
            for typed in (query, to_traditional(query))
            for echo in (
                typed,
                escape(typed),
                quote(typed),
                quote_plus(typed),
                quote(typed, safe=""),
            )
        },
        key=len,
        reverse=True,
    )


def body_text(response):
    """The text of a response; an XLSX is unzipped and its XML read."""
    content = (
        b"".join(response.streaming_content) if response.streaming else response.content
    )
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace")
                for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def found(text, sentinel, query=""):
    """The markers left in a page once the query it echoes is removed."""
    if query:
        for echo in echoes(query):
            text = text.replace(echo, "")
    text = unescape(text)
    return [marker for marker in markers(sentinel) if marker in text]


def same_site_links(page_url, text, *, traditional=False):
    for match in LINK.finditer(text):
        raw = unescape((match.group(1) or match.group(2) or "").strip())
        if not raw or raw.startswith(("#", "mailto:", "javascript:", "data:")):
            continue
        url = urlsplit(urljoin(page_url, raw))
        if url.scheme not in ("http", "https", "") or url.netloc not in SITE_HOSTS:
            continue
        if url.path.startswith(SKIPPED_PREFIXES):
            continue
        if url.path.startswith(TRADITIONAL) != traditional:
            continue
        yield url.path + (f"?{url.query}" if url.query else "")


def probe_queries(sentinel):
    """The sentinel, its parts, and queries that find public rows."""
    prefix = prefix_of(sentinel)
    token = sentinel.removeprefix(prefix)
    halves = [prefix[:2], prefix[2:]]
    return [sentinel, prefix, *halves, token, token[:4], "jc", "季成"]


def probes(sentinel):
    """(URL, query the page may echo): searches and exports for the
    sentinel and for its parts."""
    urls = []
    for q in probe_queries(sentinel):
        encoded = quote(q)
        urls += [(f"/search/?q={encoded}", q)]
        urls += [
            (f"/search/?q={encoded}&type={t}", q)
            for t in ("articles", "projects", "people")
        ]
        urls += [(f"/personnel/?q={encoded}", q)]
        urls += [(f"/personnel/export.{ext}?q={encoded}", q) for ext in ("csv", "xlsx")]
    return urls


SEEDS = [
    "/",
    "/articles/",
    "/projects/",
    "/personnel/",
    "/personnel/export.csv",
    "/personnel/export.xlsx",
    "/feeds/articles/",
    "/feeds/channels/news/",
    "/feeds/channels/stories/",
    "/sitemap.xml",
    "/site-map/",
    "/robots.txt",
    "/personnel/?on=2021-07-01",
    "/personnel/?batch=11",
    "/projects/?year=2019",
    "/projects/?sector=health",
    "/articles/?channel=stories",
]


def shape(url):
    parts = urlsplit(url)
    return parts.path, tuple(sorted({p.split("=")[0] for p in parts.query.split("&")}))


def crawl(client, sentinel, *, seeds=SEEDS, traditional=False):
    """Fetch every page reachable from the seeds and the probes; return
    (pages fetched, {url: markers found}, {url: status} of failures). The
    繁體 crawl starts from the same addresses under /zh-hant/ and follows
    links there only."""
    queue = deque((url, "") for url in seeds)
    queue.extend(probes(sentinel))
    if traditional:
        queue = deque((TRADITIONAL[:-1] + url, query) for url, query in queue)
    seen = {url for url, _ in queue}
    shapes = Counter()
    leaks, failures, pages = {}, {}, 0
    while queue:
        url, query = queue.popleft()
        response = client.get(url)
        pages += 1
        assert pages <= MAX_PAGES, "the crawl does not end"
        if response.status_code >= 500 or response.status_code not in (
            200,
            301,
            302,
            304,
            404,
        ):
            failures[url] = response.status_code
        if response.status_code in (301, 302):
            links = [response["Location"]]
        elif response.status_code == 200:
            text = body_text(response)
            if hits := found(text, sentinel, query):
                leaks[url] = hits
            links = same_site_links(url, text, traditional=traditional)
        else:
            continue
        for link in links:
            if link not in seen and shapes[shape(link)] < PER_SHAPE:
                seen.add(link)
                if "?" in link:
                    shapes[shape(link)] += 1
                # A followed link keeps the query it carries: strip its echo too.
                queue.append((link, query if query and quote(query) in link else ""))
    return pages, leaks, failures


def api_seeds(sentinel):
    """(URL, query the answer may echo): each list of the API as it is, a
    row a page (every cursor), and searched for the sentinel's parts."""
    urls = []
    for operation in lists():
        urls.append((operation.url(), ""))
        if (least := operation.minimum("limit")) is not None:
            urls.append((f"{operation.url()}?limit={least}", ""))
        if "q" in operation.query_params:
            urls += [
                (f"{operation.url()}?q={quote(q)}", q) for q in probe_queries(sentinel)
            ]
    return urls


def relative(url):
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def hidden_api_urls(hidden):
    """The API's detail address of every hidden row whose kind (the list's
    last segment: people, units …) the API has."""
    urls = []
    for operation in details():
        kind = operation.collection.rstrip("/").rpartition("/")[2]
        (name,) = operation.path_params
        urls += [
            operation.url(**{name: getattr(row, name)}) for row in hidden.get(kind, [])
        ]
    return urls


def crawl_api(client, sentinel, hidden=None):
    """Read every list of the API through all its pages, then the detail of
    every row listed, then (given ``hidden``) the hidden rows' details,
    which must be 404; return (answers read, {url: markers found},
    {url: status} of failures)."""
    leaks, failures, pages = {}, {}, 0

    def read(url, response, query="", status=200):
        nonlocal pages
        pages += 1
        if response.status_code != status:
            failures[relative(url)] = response.status_code
        if hits := found(response.content.decode(), sentinel, query):
            leaks[relative(url)] = hits

    for url, query in api_seeds(sentinel):
        for page_url, response in walk(client, url):
            read(page_url, response, query)
    for operation in details():
        (name,) = operation.path_params
        for value in listed(client, operation):
            url = operation.url(**{name: value})
            read(url, client.get(url))
    for url in hidden_api_urls(hidden or {}):
        read(url, client.get(url), status=404)
    return pages, leaks, failures


def detail_urls(hidden):
    urls = [f"/articles/{a.pk}/" for a in hidden["articles"]]
    urls += [f"/projects/{p.pk}/" for p in hidden["projects"]]
    urls += [f"/personnel/{p.pk}/" for p in hidden["people"]]
    return urls


def preview_urls(hidden):
    return [f"/articles/{a.pk}/preview/" for a in hidden["articles"]] + [
        f"/projects/{p.pk}/preview/" for p in hidden["projects"]
    ]


# Review: comments and working copies are staff's only.

LIVE_TITLE = "援疆医生在阿克苏开展义诊"
LIVE_BODY = "杭州援疆医生走进乡村开展义诊。"


@pytest.fixture
def review_marker():
    return REVIEW_PREFIX + secrets.token_hex(4)


@pytest.fixture
def in_review(content, review_marker, login):
    """A live article and a live person with working copies (sent to review)
    that carry the review marker in every text field; review comments that
    carry it on the live article and on a draft sent back. All made through
    the admin, as staff make them."""
    m = review_marker
    live = make_article(
        channel=Channel.objects.get(slug="news"),
        title=LIVE_TITLE,
        summary="义诊摘要。",
        body=f"<p>{LIVE_BODY}</p>",
    )
    person = make_assignment(
        name="林 尧", receiving_unit=make_unit("阿克苏地区第一人民医院")
    ).person
    editor, publisher = login("editor"), login("publisher")
    copies = [
        (
            f"/admin/articles/article/{live.pk}/change/",
            article_post(
                live,
                title=f"{m}标题",
                subtitle=f"副标题{m}",
                summary=f"摘要{m}",
                body=f"<p>正文{m}</p>",
                source=f"来源{m}",
                author=f"作者{m}",
                editor=f"编辑{m}",
                cover_alt=f"题图{m}",
            ),
        ),
        (
            f"/admin/personnel/person/{person.pk}/change/",
            person_post(person, name=m, bio=f"简介{m}", photo_alt=f"照片{m}"),
        ),
    ]
    for url, data in copies:
        response = editor.post(url, {**data, "_submit": "1"})
        assert response.status_code == 302, form_errors(response)
    assert Submission.objects.filter(submitted_at__isnull=False).count() == 2

    def review(obj, verdict, text):
        url = f"/admin/{obj._meta.app_label}/{obj._meta.model_name}/{obj.pk}/review/"
        seen = publisher.get(url).context["form"].initial["seen"]
        response = publisher.post(
            url, {"verdict": verdict, "comment": text, "seen": seen}
        )
        assert response.status_code == 302, response.context["form"].errors

    review(live, "comment", f"修改稿意见{m}")
    review(person, "comment", f"人员意见{m}")
    draft = content["articles"][0]
    editor.post(
        "/admin/articles/article/",
        {"action": "submit", "_selected_action": [draft.pk]},
    )
    review(draft, "reject", f"退回意见{m}")
    review(content["projects"][0], "comment", f"项目意见{m}")
    assert ReviewComment.objects.filter(text__contains=m).count() == 4
    live.refresh_from_db()
    assert live.title == LIVE_TITLE
    return {"live": live, "person": person, "staff": [editor, publisher]}


def staff_urls(reviewed):
    """What staff open while reviewing, before visitors come: each may fill
    the page cache."""
    live, person = reviewed["live"], reviewed["person"]
    return [
        f"/articles/{live.pk}/",
        f"/articles/{live.pk}/preview/",
        f"/personnel/{person.pk}/",
        f"/admin/articles/article/{live.pk}/change/",
        f"/admin/articles/article/{live.pk}/review/",
        f"/admin/personnel/person/{person.pk}/review/",
        "/admin/",
    ]


def test_staff_see_the_review_marker(in_review, review_marker):
    """The crawl would see the marker if a page rendered it: staff's do."""
    for client in in_review["staff"]:
        for url in staff_urls(in_review):
            if url.startswith("/admin/") and url != "/admin/":
                page = client.get(url).content.decode()
                assert review_marker in page, url


def test_no_public_page_shows_review_comments_or_working_copies(
    in_review, review_marker, reporter_client, page_cache, capsys
):
    live, person = in_review["live"], in_review["person"]
    for client in in_review["staff"]:
        for url in staff_urls(in_review):
            assert client.get(url).status_code == 200, url
    seeds = [*SEEDS, *staff_urls(in_review)[:3]]

    anonymous = Client()
    pages, leaks, failures = crawl(anonymous, review_marker, seeds=seeds)
    cached_pages, cached_leaks, cached_failures = crawl(
        anonymous, review_marker, seeds=seeds
    )
    _, reporter_leaks, reporter_failures = crawl(
        reporter_client, review_marker, seeds=seeds
    )
    assert leaks == {}
    assert cached_leaks == {}
    assert reporter_leaks == {}
    assert {**failures, **cached_failures, **reporter_failures} == {}
    assert pages == cached_pages > len(seeds)

    # The live rows still show their live text, to visitors and from the cache.
    for _ in range(2):
        article = anonymous.get(live.get_absolute_url()).content.decode()
        assert LIVE_TITLE in article and LIVE_BODY in article
        assert "林尧" in anonymous.get(person.get_absolute_url()).content.decode()
    with capsys.disabled():
        print(f"\nreview leak crawl: {pages} pages anonymous, {cached_pages} cached")


def test_the_crawler_finds_a_working_copy_once_approved(in_review, review_marker):
    """The crawl can fail: approve the article's working copy and its text is
    found on the public site."""
    live, publisher = in_review["live"], in_review["staff"][1]
    url = f"/admin/articles/article/{live.pk}/review/"
    seen = publisher.get(url).context["form"].initial["seen"]
    assert publisher.post(url, {"verdict": "approve", "seen": seen}).status_code == 302
    _, leaks, failures = crawl(Client(), review_marker)
    assert failures == {}
    assert f"/articles/{live.pk}/" in leaks
    assert "/feeds/articles/" in leaks


@pytest.fixture
def reporter_client(db):
    client = Client()
    client.force_login(make_staff(REPORTER))
    return client


def test_staff_previews_show_the_sentinel(content, sentinel, admin_client):
    """The crawl would see the sentinel if a page rendered it: previews do."""
    for url in preview_urls(content):
        response = admin_client.get(url)
        assert response.status_code == 200, url
        assert sentinel in response.content.decode(), url
        assert "no-store" in response["Cache-Control"]


def test_no_public_page_shows_hidden_content(
    content, sentinel, admin_client, reporter_client, page_cache, capsys
):
    # Staff open every preview first: a cached preview must not leak.
    for url in preview_urls(content):
        assert admin_client.get(url).status_code == 200
    staff_pages, staff_leaks, staff_failures = crawl(admin_client, sentinel)

    anonymous = Client()
    pages, leaks, failures = crawl(anonymous, sentinel)
    # Again: now most pages come from the cache.
    cached_pages, cached_leaks, cached_failures = crawl(anonymous, sentinel)
    reporter_pages, reporter_leaks, reporter_failures = crawl(reporter_client, sentinel)

    assert staff_leaks == {}
    assert leaks == {}
    assert cached_leaks == {}
    assert reporter_leaks == {}
    assert {**staff_failures, **failures, **cached_failures, **reporter_failures} == {}
    assert pages == cached_pages
    with capsys.disabled():
        print(
            f"\nleak crawl: {pages} pages anonymous, {cached_pages} from the cache, "
            f"{reporter_pages} as a reporter, {staff_pages} as staff; "
            f"{len(content['articles'])} hidden articles, "
            f"{len(content['projects'])} projects, {len(content['people'])} person"
        )


def test_no_api_answer_shows_hidden_content(content, sentinel, page_cache, capsys):
    anonymous = Client()
    pages, leaks, failures = crawl_api(anonymous, sentinel, content)
    # Again: now the answers come from the cache.
    cached_pages, cached_leaks, cached_failures = crawl_api(
        anonymous, sentinel, content
    )

    assert leaks == {}
    assert cached_leaks == {}
    assert {**failures, **cached_failures} == {}
    assert pages == cached_pages > len(api_seeds(sentinel))
    # Every kind of hidden row the API has a detail for was tried.
    tried = hidden_api_urls(content)
    assert len(tried) >= len(content["people"] + content["units"] + content["batches"])
    with capsys.disabled():
        print(
            f"\napi leak crawl: {pages} answers anonymous, {cached_pages} from the "
            f"cache, {len(tried)} hidden details 404"
        )


def test_no_traditional_page_shows_hidden_content(content, sentinel, page_cache):
    """The 繁體 pages are the simplified ones converted: crawled anonymously
    from /zh-hant/, with the sentinel looked for in both scripts."""
    pages, leaks, failures = crawl(Client(), sentinel, traditional=True)
    assert leaks == {}
    assert failures == {}
    assert pages > len(SEEDS)


def test_the_crawler_finds_the_sentinel_once_it_is_published(content, sentinel):
    """The crawl can fail: publish one hidden article and it is found."""
    article = content["articles"][0]
    article.status = Article.Status.PUBLISHED
    article.save()
    _, leaks, failures = crawl(Client(), sentinel)
    assert failures == {}
    assert f"/articles/{article.pk}/" in leaks
    assert "/feeds/articles/" in leaks
    assert any(url.startswith("/search/") for url in leaks)
    _, leaks, _ = crawl(Client(), sentinel, traditional=True)
    assert f"/zh-hant/articles/{article.pk}/" in leaks
    assert "/zh-hant/feeds/articles/" in leaks

    # Through the API: publish the hidden person, and its answers show them.
    person = content["people"][0]
    person.status = Person.Status.PUBLISHED
    person.save()
    _, leaks, failures = crawl_api(Client(), sentinel)
    assert failures == {}
    people = next(o for o in details() if o.collection.endswith("/people/"))
    assert people.url(id=person.pk) in leaks
    assert people.collection in leaks
    assert any("?q=" in url for url in leaks)


@pytest.mark.parametrize("role", ["anonymous", "reporter"])
def test_hidden_details_and_previews_are_404(
    role, content, sentinel, admin_client, reporter_client, page_cache
):
    for url in preview_urls(content):
        assert admin_client.get(url).status_code == 200
    client = Client() if role == "anonymous" else reporter_client
    details = detail_urls(content)
    for url in details + [f"/zh-hant{url}" for url in details] + preview_urls(content):
        # Twice: the second answer may come from the page cache.
        for _ in range(2):
            response = client.get(url)
            assert response.status_code == 404, url
            assert found(response.content.decode(), sentinel) == [], url


def test_a_hidden_person_is_404_even_through_a_public_article(content, client):
    person = content["people"][0]
    article = Article.objects.published().get(people=person)
    page = client.get(article.get_absolute_url()).content.decode()
    assert f"/personnel/{person.pk}/" not in page
    assert client.get(f"/personnel/{person.pk}/").status_code == 404


def picture_urls(hidden):
    """Every stored picture of the hidden content, and every rendition of it
    made so far (the staff previews make them)."""
    files = []
    for article in hidden["articles"]:
        files += [article.cover, *(image.image for image in article.images.all())]
    for project in hidden["projects"]:
        files += [project.cover, *(image.image for image in project.images.all())]
    names = [file.name for file in files if file]
    # Pictures uploaded from the editor into the hidden bodies.
    bodies = [item.body for kind in ("articles", "projects") for item in hidden[kind]]
    names += [
        picture.image.name
        for picture in BodyPicture.objects.all()
        if any(picture.image.name in body for body in bodies)
    ]
    root = Path(settings.MEDIA_ROOT)
    made = [
        path.relative_to(root).as_posix()
        for name in names
        for path in (root / settings.THUMBNAIL_PREFIX / name).glob("*")
    ]
    return [settings.MEDIA_URL + name for name in (*names, *made)]


@pytest.mark.parametrize("role", ["anonymous", "reporter"])
def test_pictures_of_hidden_content_are_404(
    role, content, admin_client, reporter_client, page_cache
):
    for url in preview_urls(content):
        assert admin_client.get(url).status_code == 200
    urls = picture_urls(content)
    assert len(urls) > 4 * len(content["articles"]), "originals and renditions"
    assert any("/kernel/bodypicture/" in url for url in urls), "editor uploads"
    for url in urls:
        assert admin_client.get(url).status_code == 200, url
    client = Client() if role == "anonymous" else reporter_client
    for url in urls:
        assert client.get(url).status_code == 404, url
