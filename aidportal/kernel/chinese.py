"""The rules for Chinese text: one normal form for names and queries, the
canonical form of a person's name, pinyin, dates and numbers.

Print layouts pad two-character names ("季 成", "陈\u00a0晶", "赵\u3000科"):
the padding is typography, not the name, so a name is stored and shown
without it (``canonical_name``), and every kind of whitespace is removed
before names are compared or searched (``normalize``).
"""

import re
import unicodedata
from datetime import date, datetime
from functools import cache

import opencc
from pypinyin import lazy_pinyin

from aidportal.kernel.formats.zh_Hans.formats import DATE_INPUT_FORMATS

# \s in Python's re is Unicode-aware: it covers U+00A0, U+3000 and the rest.
WHITESPACE = re.compile(r"\s+")
# Middle-dot variants used between the parts of transliterated names, after
# NFKC (which turns the full-width "．" into ".").
MIDDLE_DOTS = str.maketrans(dict.fromkeys("•・‧∙.･⋅", "·"))
# Han characters (CJK unified ideographs, their extensions and compatibility
# forms, and 〇), as a regular expression character class.
HAN = "\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# A space between Han characters beside a part of one character: "季 成",
# "曾 晓明", "欧阳 修". Between two longer parts ("阿依古丽 买买提") it may
# separate the parts of a transliterated name, and stays.
PADDING = re.compile(
    rf"(?<=[{HAN}])(?<![{HAN}]{{2}}) (?=[{HAN}])|(?<=[{HAN}]) (?=[{HAN}](?![{HAN}]))"
)
# A dot between two parts of a name in Han characters ("阿依古丽 · 买买提",
# "阿依古丽.买买提"); the other variants are middle dots wherever they stand.
DOT_BETWEEN_HAN = re.compile(rf"(?<=[{HAN}]) ?[·.] ?(?=[{HAN}])")
NAME_DOTS = str.maketrans(dict.fromkeys("•・‧∙⋅", "·"))

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


@cache
def converter(config: str) -> opencc.OpenCC:
    """OpenCC's converter of a configuration ("t2s", "s2twp", "s2hk"), made
    once per process (it loads its dictionaries)."""
    return opencc.OpenCC(config)


def fold_traditional(text: str) -> str:
    """Traditional characters folded to simplified (張林 → 张林,
    醫院 → 医院); simplified text comes back as it is, but for the few
    characters that are also traditional forms (乾 → 干): search texts keep
    both spellings (aidportal.kernel.search.search_document)."""
    return converter("t2s").convert(text) if text else text


def search_key(query: str | None) -> str:
    """The form in which a query is searched: normalised, and in simplified
    characters, so a reader of the 繁體 pages finds what they type."""
    return fold_traditional(normalize(query))


def canonical_name(name: str | None) -> str:
    """A person's name as it is stored and shown.

    The spaces a press release puts into a short name to line it up with
    longer ones ("季 成", "季\u3000成", "季\u00a0成", "曾 晓明") go: every
    space between Han characters where a part of one character stands on
    either side. A real separator stays, as one ASCII space or one middle
    dot: between the words of a name in Latin letters ("Anna\u00a0Li" →
    "Anna Li"), between two parts of several Han characters ("阿依古丽
    买买提"), and the middle dot of a transliterated name, whatever its
    variant ("阿依古丽 • 买买提" → "阿依古丽·买买提").
    NFKC first, as ``normalize`` does; ``normalize`` of the result is that
    of the name (the search texts do not change).
    """
    text = unicodedata.normalize("NFKC", name or "")
    text = WHITESPACE.sub(" ", text).strip().translate(NAME_DOTS)
    text = DOT_BETWEEN_HAN.sub("·", text)
    return PADDING.sub("", text)


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
CHINESE_NUMBER = re.compile(r"(?:([一二三四五六七八九]?)十)?([一二三四五六七八九]?)")


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


def parse_chinese_number(text: str) -> int:
    """一 → 1, 十 → 10, 十二 → 12, 二十 → 20, 三十五 → 35 (1–99): the inverse
    of ``chinese_number``. Raises ValueError for anything else."""
    match = CHINESE_NUMBER.fullmatch(text)
    if not text or match is None:
        raise ValueError(text)
    tens, ones = match.groups()
    number = CHINESE_DIGITS.index(ones) if ones else 0
    if "十" in text:
        number += 10 * (CHINESE_DIGITS.index(tens) if tens else 1)
    return number
