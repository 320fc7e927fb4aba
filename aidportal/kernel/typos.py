"""The list of common 错别字 and 规范表述 the site self-inspection looks for
(国办秘函〔2019〕19号: a serious typo on a public page fails the site).

Staff keep the list in the admin; ``typo_finder()`` reads it once and finds
its entries in any text."""

import html
import re
from dataclasses import dataclass

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Characters of context shown either side of a finding.
CONTEXT = 12
# A tag of sanitised rich text (nh3 escapes ">" inside attribute values): what
# strip_tags() removes, ten times faster than its HTML parser, which the
# inspection of 100 000 bodies would spend most of its time in.
TAG = re.compile(r"<[^>]*>")


class Typo(models.Model):
    wrong = models.CharField(
        _("错误写法"),
        max_length=40,
        unique=True,
        help_text=_("在已发布的标题、摘要和正文中查找的写法，例如“再接再励”。"),
    )
    right = models.CharField(
        _("正确写法"), max_length=40, help_text=_("例如“再接再厉”。")
    )
    note = models.CharField(
        _("说明"),
        max_length=200,
        blank=True,
        help_text=_("何时算错，例如“登陆”只在表示登录网站时算错。"),
    )
    severe = models.BooleanField(
        _("是否严重"),
        default=False,
        help_text=_("严重错别字属单项否决：自查发现即判定网站不合格。"),
    )

    class Meta:
        ordering = ["wrong"]
        verbose_name = _("错别字与规范表述")
        verbose_name_plural = _("错别字与规范表述")
        constraints = [
            models.CheckConstraint(
                condition=~Q(wrong="") & ~Q(wrong=models.F("right")),
                name="typo_wrong_differs",
                violation_error_message=_("错误写法不能为空，也不能与正确写法相同。"),
            ),
        ]

    def __str__(self):
        return f"{self.wrong}→{self.right}"


@dataclass(frozen=True)
class TypoFound:
    typo: Typo
    snippet: str


class TypoFinder:
    """Every entry of the list in one regular expression (longest first, so
    an entry containing another is reported as itself)."""

    def __init__(self, typos: list[Typo]):
        self.typos = {typo.wrong: typo for typo in typos}
        words = sorted(self.typos, key=len, reverse=True)
        self.pattern = re.compile("|".join(map(re.escape, words))) if words else None

    def find(self, text: str, *, rich: bool = False) -> list[TypoFound]:
        """The entries in ``text`` (rich text: in what the page shows)."""
        if self.pattern is None or not text:
            return []
        if rich:
            text = html.unescape(TAG.sub("", text))
        found = []
        for match in self.pattern.finditer(text):
            start, end = match.span()
            snippet = "".join(
                [
                    "…" if start > CONTEXT else "",
                    text[max(0, start - CONTEXT) : start],
                    "【",
                    match.group(0),
                    "】",
                    text[end : end + CONTEXT],
                    "…" if end + CONTEXT < len(text) else "",
                ]
            )
            found.append(
                TypoFound(self.typos[match.group(0)], " ".join(snippet.split()))
            )
        return found


def typo_finder() -> TypoFinder:
    return TypoFinder(list(Typo.objects.all()))
