"""The rules for Chinese text: one normal form for names and queries, and pinyin.

Print layouts pad two-character names ("季 成", "陈\u00a0晶", "赵\u3000科"), so
every kind of whitespace is removed before names are compared or searched; the
display keeps what was published.
"""

import re
import unicodedata
from datetime import date, datetime

from pypinyin import lazy_pinyin

from aidportal.kernel.formats.zh_Hans.formats import DATE_INPUT_FORMATS

# \s in Python's re is Unicode-aware: it covers U+00A0, U+3000 and the rest.
WHITESPACE = re.compile(r"\s+")
# Middle-dot variants used between the parts of transliterated names, after
# NFKC (which turns the full-width "．" into ".").
MIDDLE_DOTS = str.maketrans(dict.fromkeys("•・‧∙.･⋅", "·"))

# Surnames whose reading differs from the character's everyday reading. Every
# reading is kept: reporters type either.
SURNAME_READINGS = {
    "曾": ("zeng", "ceng"),
    "单": ("shan", "dan"),
    "解": ("xie", "jie"),
    "仇": ("qiu", "chou"),
    "区": ("ou", "qu"),
    "朴": ("piao", "pu"),
    "查": ("zha", "cha"),
    "盖": ("ge", "gai"),
    "乐": ("yue", "le"),
    "缪": ("miao", "mou"),
    "翟": ("zhai", "di"),
    "覃": ("qin", "tan"),
    "褚": ("chu", "zhu"),
    "秘": ("bi", "mi"),
    "尉": ("yu", "wei"),
    "员": ("yun", "yuan"),
    "种": ("chong", "zhong"),
    "燕": ("yan",),
    "任": ("ren",),
    "华": ("hua",),
    "宁": ("ning",),
    "纪": ("ji",),
    "繁": ("po", "fan"),
    "折": ("she", "zhe"),
    "应": ("ying",),
    "车": ("che",),
    "薄": ("bo",),
    "谌": ("chen", "shen"),
    "召": ("shao", "zhao"),
}
COMPOUND_SURNAMES = {
    "长孙": (("zhang", "sun"), ("chang", "sun")),
    "尉迟": (("yu", "chi"), ("wei", "chi")),
    "万俟": (("mo", "qi"), ("wan", "qi")),
    "单于": (("chan", "yu"), ("shan", "yu")),
    "澹台": (("tan", "tai"),),
}


def normalize(text: str | None) -> str:
    """The form in which names, unit names and queries are compared.

    NFKC (full-width letters and digits become ASCII), every whitespace
    removed, middle-dot variants unified, case folded.
    """
    text = unicodedata.normalize("NFKC", text or "")
    return WHITESPACE.sub("", text).translate(MIDDLE_DOTS).casefold()


def _unique(items):
    return list(dict.fromkeys(items))


def name_pinyin(name: str) -> tuple[list[str], list[str]]:
    """Full pinyin and initials of a name, each a list of variants.

    >>> name_pinyin("曾晓明")
    (['zengxiaoming', 'cengxiaoming'], ['zxm', 'cxm'])
    """
    key = normalize(name)
    syllables = [s for s in lazy_pinyin(key, errors="ignore") if s.isalpha()]
    if not syllables:
        return [], []
    if key[:2] in COMPOUND_SURNAMES:
        surnames = [*COMPOUND_SURNAMES[key[:2]], tuple(syllables[:2])]
        given = syllables[2:]
    else:
        readings = SURNAME_READINGS.get(key[0], ())
        surnames = [(reading,) for reading in (*readings, syllables[0])]
        given = syllables[1:]
    variants = _unique(tuple(surname) + tuple(given) for surname in surnames)
    full = _unique("".join(variant) for variant in variants)
    initials = _unique("".join(s[0] for s in variant) for variant in variants)
    return full, initials


def parse_date(value: object) -> date | None:
    """A date from a cell: a date/datetime, or text in any of the four formats.

    Returns None for an empty cell; raises ValueError for anything else.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = unicodedata.normalize("NFKC", str(value or "")).strip()
    if not text:
        return None
    for pattern in DATE_INPUT_FORMATS:
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)


def chinese_date(day: date) -> str:
    """2021年7月1日."""
    return f"{day.year}年{day.month}月{day.day}日"


CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(number: int) -> str:
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 35 → 三十五 (1–99)."""
    if not 0 < number < 100:
        return str(number)
    tens, ones = divmod(number, 10)
    text = ""
    if tens:
        text = ("" if tens == 1 else CHINESE_DIGITS[tens]) + "十"
    if ones:
        text += CHINESE_DIGITS[ones]
    return text
