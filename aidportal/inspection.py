"""The site self-inspection (网站自查) against 国办秘函〔2019〕19号: what the
quarterly inspection fails the site for outright (单项否决: a channel not
updated, a serious typo) and what costs points (dead links, missing pictures
and attachments, unsigned articles, pictures without alternative text,
non-standard wording).

Only what the public sees is inspected (``published()``), and nothing is
fetched from outside the site. Bodies are read in chunks of the few fields
needed, so the run's memory does not grow with the site; links to other
pages are collected first and looked up in one query per kind of page.
"""

import html
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.files.storage import default_storage
from django.db.models import Model, OuterRef, Subquery
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.formats import date_format

from aidportal.kernel.pictures import img_attributes, picked_row
from aidportal.kernel.typos import TypoFinder, typo_finder
from articles.models import Article, ArticleImage, Channel
from personnel.models import Person
from projects.models import Project, ProjectImage

BASIS = "国办秘函〔2019〕19号《政府网站与政务新媒体检查指标》"
NUMBERS = "一二三四五六七八九十"
# What the checks read of a cover; width and height are read by ImageField
# on load (deferred, each would be a query per row), status by the row.
COVER_FIELDS = (
    "cover",
    "cover_alt",
    "cover_decorative",
    "cover_width",
    "cover_height",
    "status",
)
# Rows read per round trip while walking published content.
CHUNK = 500
# href and src values of sanitised rich text (nh3 writes double quotes).
LINK = re.compile(r'\b(?:href|src)\s*=\s*"([^"]*)"', re.IGNORECASE)
IMG = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
# The public detail pages a body may link to, and the rows they show: a link
# to a row the public does not see (a draft, an expired article) is broken.
# A channel's page shows whether the channel is in the navigation or not.
TARGETS = {
    "articles:detail": (Article, "pk"),
    "projects:detail": (Project, "pk"),
    "personnel:detail": (Person, "pk"),
    "articles:channel": (Channel, "slug"),
}


@dataclass
class Finding:
    where: str  # 文章 #12《标题》
    admin_url: str
    text: str  # what is wrong, with its context


@dataclass
class Section:
    key: str
    title: str
    fails_site: bool  # 单项否决
    findings: list[Finding] = field(default_factory=list)
    # All found, when ``findings`` keeps only the first few (a limit).
    count: int = 0
    limit: int | None = None

    def add(self, finding) -> None:
        """Count a finding; keep it unless the limit is reached. ``finding``
        may be a function making it, called only when it is kept."""
        self.count += 1
        if self.limit is None or len(self.findings) < self.limit:
            self.findings.append(finding() if callable(finding) else finding)

    @property
    def left_out(self) -> int:
        return self.count - len(self.findings)


@dataclass
class Report:
    generated_at: datetime
    sections: list[Section]

    @property
    def failed(self) -> bool:
        """An item that fails the site outright was found."""
        return any(s.fails_site and s.count for s in self.sections)

    @property
    def fatal_count(self) -> int:
        return sum(s.count for s in self.sections if s.fails_site)

    @property
    def point_count(self) -> int:
        return sum(s.count for s in self.sections if not s.fails_site)

    @property
    def conclusion(self) -> str:
        if self.failed:
            return (
                f"不合格，发现单项否决问题 {self.fatal_count} 项、"
                f"扣分问题 {self.point_count} 项。"
            )
        return f"未发现单项否决问题；扣分问题 {self.point_count} 项。"

    def as_text(self) -> str:
        """The report as the command prints it."""
        at = date_format(timezone.localtime(self.generated_at), "Y年n月j日 H:i")
        lines = [f"网站自查报告（{at}）", f"依据：{BASIS}", f"结论：{self.conclusion}"]
        for number, section in zip(NUMBERS, self.sections, strict=False):
            lines += ["", f"{number}、{section.title}：{section.count} 项"]
            for index, finding in enumerate(section.findings, start=1):
                lines.append(f"  {index}. {finding.where}：{finding.text}")
                lines.append(f"     后台：{finding.admin_url}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        return {
            "generated_at": self.generated_at.isoformat(),
            "failed": self.failed,
            "conclusion": self.conclusion,
            "sections": [
                {
                    "key": s.key,
                    "title": s.title,
                    "fails_site": s.fails_site,
                    "count": s.count,
                    "items": [vars(f) for f in s.findings],
                }
                for s in self.sections
            ],
        }


def site_inspect(*, now: datetime | None = None, limit: int | None = None) -> Report:
    """Inspect the public site; see the module's docstring. With a ``limit``,
    each section keeps its first ``limit`` findings (and counts them all)."""
    now = now or timezone.now()
    sections = {
        key: Section(key, title, fails_site, limit=limit)
        for key, title, fails_site in [
            ("stale_channels", "栏目更新（单项否决）", True),
            ("severe_typos", "严重错别字（单项否决）", True),
            ("broken_links", "失效链接（扣分）", False),
            ("missing_files", "缺失的图片或附件（扣分）", False),
            ("missing_byline", "文章缺少来源或编辑（扣分）", False),
            ("missing_alt", "图片缺少替代文字（扣分）", False),
            ("typos", "一般错别字与不规范表述（扣分）", False),
        ]
    }
    inspection = _Inspection(sections, typo_finder(), now)
    inspection.channels()
    inspection.articles()
    inspection.projects()
    inspection.galleries()
    inspection.people()
    inspection.links()
    return Report(now, list(sections.values()))


def _finding(model: type[Model], pk, label: str, text: str) -> Finding:
    opts = model._meta
    where = f"{opts.verbose_name} #{pk}"
    if label:
        where += f"《{label}》"
    url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[pk])
    return Finding(where, url, text)


class _Inspection:
    def __init__(self, sections: dict[str, Section], finder: TypoFinder, now):
        self.sections = sections
        self.finder = finder
        self.now = now
        # (model, key, value) → the rows whose bodies link to that row's
        # page: [(model, pk, label, href)].
        self.linked = defaultdict(list)
        site = urlsplit(settings.SITE_URL)
        self.site_host = site.netloc.lower()

    def add(self, key: str, row: Model, label: str, text: str) -> None:
        self.sections[key].add(lambda: _finding(type(row), row.pk, label, text))

    def channels(self) -> None:
        default = settings.SITE_INSPECT_CHANNEL_DAYS
        newest = (
            Article.objects.published(now=self.now)
            .filter(channel=OuterRef("pk"))
            .order_by("-published_at")
            .values("published_at")[:1]
        )
        rows = Channel.objects.filter(in_navigation=True).annotate(
            newest=Subquery(newest)
        )
        for channel in rows:
            days = channel.update_period_days or default
            if channel.newest and channel.newest >= self.now - timedelta(days=days):
                continue
            if channel.newest:
                last = date_format(timezone.localtime(channel.newest), "Y年n月j日")
                detail = f"最新文章发布于{last}"
            else:
                detail = "栏目中没有已发布的文章"
            self.add(
                "stale_channels",
                channel,
                channel.name,
                f"栏目超过 {days} 天未更新（{detail}）",
            )

    def articles(self) -> None:
        rows = Article.objects.published(now=self.now).only(
            "title",
            "subtitle",
            "summary",
            "body",
            "source",
            "editor",
            *COVER_FIELDS,
        )
        for article in rows.order_by("pk").iterator(chunk_size=CHUNK):
            missing = [
                label
                for label, value in [("来源", article.source), ("编辑", article.editor)]
                if not value.strip()
            ]
            if missing:
                self.add(
                    "missing_byline",
                    article,
                    article.title,
                    f"缺少{'和'.join(missing)}",
                )
            self.content(
                article,
                article.title,
                [
                    ("标题", article.title, False),
                    ("副标题", article.subtitle, False),
                    ("摘要", article.summary, False),
                    ("正文", article.body, True),
                ],
            )

    def projects(self) -> None:
        rows = Project.objects.published(now=self.now).only(
            "name",
            "summary",
            "body",
            *COVER_FIELDS,
        )
        for project in rows.order_by("pk").iterator(chunk_size=CHUNK):
            self.content(
                project,
                project.name,
                [
                    ("名称", project.name, False),
                    ("摘要", project.summary, False),
                    ("正文", project.body, True),
                ],
            )

    def content(self, row, label, texts) -> None:
        """A published article's or project's cover, texts and body."""
        self.picture(row, label, row.cover, row.cover_alt, row.cover_decorative, "题图")
        for name, text, rich in texts:
            for found in self.finder.find(text, rich=rich):
                typo = found.typo
                self.add(
                    "severe_typos" if typo.severe else "typos",
                    row,
                    label,
                    f"{name}：“{found.snippet}”，“{typo.wrong}”应为“{typo.right}”"
                    + (f"（{typo.note}）" if typo.note else ""),
                )
        self.body(row, label, row.body)

    def picture(self, row, label, file, alt, decorative, name) -> None:
        if not file:
            return
        if not default_storage.exists(file.name):
            self.add("missing_files", row, label, f"{name}文件不存在：{file.name}")
        if not alt.strip() and not decorative:
            self.add("missing_alt", row, label, f"{name}缺少替代文字")

    def body(self, row, label, body: str) -> None:
        for value in LINK.findall(body):
            self.link(row, label, html.unescape(value).strip())
        for tag in IMG.findall(body):
            attrs = img_attributes(tag)
            if attrs.get("alt", "").strip():
                continue
            picked = picked_row(attrs.get("data-file", ""))
            if picked is not None and getattr(picked, "decorative", False):
                continue
            self.add(
                "missing_alt",
                row,
                label,
                f"正文图片缺少替代文字：{attrs.get('src', '')}",
            )

    def link(self, row, label, href: str) -> None:
        """Check a link of a body to this site; other sites are not fetched."""
        parts = urlsplit(href)
        if parts.scheme and parts.scheme not in ("http", "https"):
            return  # mailto:, tel:
        if parts.netloc and parts.netloc.lower() != self.site_host:
            return
        path = unquote(parts.path)  # as Django resolves it (path_info)
        if not path.startswith("/"):
            return  # a fragment (#top) or a relative path, none of which we write
        if path.startswith("/" + settings.MEDIA_URL.lstrip("/")):
            name = path[len(settings.MEDIA_URL.lstrip("/")) + 1 :]
            if not name or not default_storage.exists(name):
                self.add("missing_files", row, label, f"正文引用的文件不存在：{href}")
            return
        if path.startswith("/" + settings.STATIC_URL.lstrip("/")):
            name = path[len(settings.STATIC_URL.lstrip("/")) + 1 :]
            if not finders.find(name):
                self.add("broken_links", row, label, f"链接指向不存在的文件：{href}")
            return
        try:
            match = resolve(path)
        except Resolver404:
            try:  # Django's APPEND_SLASH redirects /articles/5 to /articles/5/
                match = resolve(path + "/")
            except Resolver404:
                self.add("broken_links", row, label, f"链接指向不存在的页面：{href}")
                return
        target = TARGETS.get(match.view_name)
        if target is not None:
            model, key = target
            self.linked[model, key, match.kwargs[key]].append(
                (type(row), row.pk, label, href)
            )

    def galleries(self) -> None:
        for model in (ArticleImage, ProjectImage):
            owner = model.owner_field
            rows = (
                model.objects.published()
                .select_related(owner)
                .only(
                    "image",
                    "width",
                    "height",
                    "alt",
                    "decorative",
                    f"{owner}__{'title' if owner == 'article' else 'name'}",
                )
            )
            for picture in rows.order_by("pk").iterator(chunk_size=CHUNK):
                parent = getattr(picture, owner)
                self.picture(
                    parent,
                    str(parent),
                    picture.image,
                    picture.alt,
                    picture.decorative,
                    f"组图第 {picture.pk} 号图片",
                )

    def people(self) -> None:
        rows = (
            Person.objects.published()
            .exclude(photo="")
            .only("name", "photo", "photo_alt")
        )
        for person in rows.order_by("pk").iterator(chunk_size=CHUNK):
            self.picture(
                person, person.name, person.photo, person.photo_alt, False, "照片"
            )

    def links(self) -> None:
        """Links to detail pages: the row must exist and be public."""
        wanted = defaultdict(set)
        for model, key, value in self.linked:
            wanted[model, key].add(value)
        for (model, key), values in wanted.items():
            public = set()
            values = sorted(values, key=str)
            rows = model.objects.all()
            if hasattr(rows, "published"):
                rows = rows.published()
            for start in range(0, len(values), CHUNK):
                chunk = values[start : start + CHUNK]
                found = rows.filter(**{f"{key}__in": chunk}).values_list(key, flat=True)
                public.update(found)
            for value in values:
                if value in public:
                    continue
                name = model._meta.verbose_name
                for *row, href in self.linked[model, key, value]:
                    text = f"链接指向不存在或未公开的{name}：{href}"
                    self.sections["broken_links"].add(partial(_finding, *row, text))
