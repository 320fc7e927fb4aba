from datetime import date, datetime

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from aidportal.kernel.chinese import (
    canonical_name,
    chinese_number,
    name_pinyin,
    normalize,
    parse_chinese_number,
    parse_date,
    search_key,
)


@pytest.mark.parametrize(
    "typed", ["季成", "季 成", "季\u00a0成", "季\u3000成", " 季  成 ", "季\t成"]
)
def test_every_spacing_of_a_name_normalises_alike(typed):
    assert normalize(typed) == "季成"


@pytest.mark.parametrize(
    "typed",
    [
        "阿依吐尔松·阿力马斯",
        "阿依吐尔松•阿力马斯",
        "阿依吐尔松・阿力马斯",
        "阿依吐尔松‧阿力马斯",
        "阿依吐尔松∙阿力马斯",
        "阿依吐尔松．阿力马斯",
        "阿依吐尔松 · 阿力马斯",
    ],
)
def test_middle_dot_variants_are_unified(typed):
    assert normalize(typed) == "阿依吐尔松·阿力马斯"


def test_normalise_folds_full_width_and_case():
    assert normalize("ＪｉＣｈｅｎｇ２０２１") == "jicheng2021"


@pytest.mark.parametrize(
    ("name", "full", "initials"),
    [
        ("季 成", ["jicheng"], ["jc"]),
        ("曾晓明", ["zengxiaoming", "cengxiaoming"], ["zxm", "cxm"]),
        ("单田芳", ["shantianfang", "dantianfang"], ["stf", "dtf"]),
        ("解放", ["xiefang", "jiefang"], ["xf", "jf"]),
        ("仇英", ["qiuying", "chouying"], ["qy", "cy"]),
        ("区家麟", ["oujialin", "qujialin"], ["ojl", "qjl"]),
        ("朴槿惠", ["piaojinhui", "pujinhui"], ["pjh"]),
        ("查良镛", ["zhaliangyong", "chaliangyong"], ["zly", "cly"]),
        ("长孙无忌", ["zhangsunwuji", "changsunwuji"], ["zswj", "cswj"]),
        ("", [], []),
    ],
)
def test_pinyin_covers_every_reading_of_the_surname(name, full, initials):
    assert name_pinyin(name) == (full, initials)


@pytest.mark.parametrize(
    "text", ["2021年7月1日", "2021-07-01", "2021/7/1", "2021.7.1", "２０２１年７月１日"]
)
def test_parse_date_reads_the_four_formats(text):
    assert parse_date(text) == date(2021, 7, 1)


def test_parse_date_passes_dates_and_blanks():
    assert parse_date(datetime(2021, 7, 1, 8, 0)) == date(2021, 7, 1)
    assert parse_date(date(2021, 7, 1)) == date(2021, 7, 1)
    assert parse_date("  ") is None
    assert parse_date(None) is None


@pytest.mark.parametrize("text", ["2021-13-01", "7/1/2021", "明年", "2021年7月"])
def test_parse_date_rejects_other_text(text):
    with pytest.raises(ValueError):
        parse_date(text)


@pytest.mark.parametrize(
    ("number", "text"),
    [(1, "一"), (10, "十"), (11, "十一"), (20, "二十"), (35, "三十五")],
)
def test_chinese_numbers(number, text):
    assert chinese_number(number) == text


@pytest.mark.parametrize("number", range(1, 100))
def test_chinese_numbers_read_back(number):
    assert parse_chinese_number(chinese_number(number)) == number


@pytest.mark.parametrize(
    "text", ["", "十十", "二三", "百", "一百", "两", "十 二", "10"]
)
def test_other_text_is_no_chinese_number(text):
    with pytest.raises(ValueError):
        parse_chinese_number(text)


# The canonical form of a name

# Han characters, as the common ones and a few far ones (an extension-B
# character, a compatibility ideograph, 〇).
HAN = st.one_of(
    st.characters(min_codepoint=0x4E00, max_codepoint=0x9FFF),
    st.sampled_from(["\U00020000", "\U0002a6d6", "\uf900", "\u3007", "\u3400"]),
)
PADDING = st.text(st.sampled_from(" \u3000\u00a0\t"), min_size=1, max_size=3)
# Text of names and their neighbours: letters, Han, dots, every whitespace.
NAME_TEXT = st.text(
    st.one_of(
        HAN,
        st.sampled_from("AaZz.-'·•・‧∙⋅･．ＡＢ１ \u3000\u00a0\t\n\u2003\x1c"),
        st.characters(),
    ),
    max_size=12,
)


@pytest.mark.parametrize(
    "printed",
    [
        "季 成",
        "季\u3000成",
        "季\u00a0成",
        "季  成",
        " 季 成 ",
        "季\u3000\u3000成",
        "季\t成",
    ],
)
def test_the_padding_of_a_two_character_name_goes(printed):
    assert canonical_name(printed) == "季成"


@pytest.mark.parametrize(
    ("printed", "canonical"),
    [
        ("欧 阳 修", "欧阳修"),
        ("曾 晓明", "曾晓明"),
        ("欧阳 修", "欧阳修"),
        ("Anna Li", "Anna Li"),
        ("Anna\u00a0 Li", "Anna Li"),
        ("ＡＮＮＡ\u3000ＬＩ", "ANNA LI"),
        ("J. K. Rowling", "J. K. Rowling"),
        ("阿依古丽·买买提", "阿依古丽·买买提"),
        ("阿依古丽 · 买买提", "阿依古丽·买买提"),
        ("阿依古丽•买买提", "阿依古丽·买买提"),
        ("阿依古丽・买买提", "阿依古丽·买买提"),
        ("阿依古丽･买买提", "阿依古丽·买买提"),
        ("阿依古丽‧买买提", "阿依古丽·买买提"),
        ("阿依古丽∙买买提", "阿依古丽·买买提"),
        ("阿依古丽．买买提", "阿依古丽·买买提"),
        ("阿依古丽.买买提", "阿依古丽·买买提"),
        # Two parts of several characters may be the parts of a
        # transliterated name: their space is a separator, not padding.
        ("阿依古丽 买买提", "阿依古丽 买买提"),
        ("阿依古丽\u3000买买提", "阿依古丽 买买提"),
        ("李 Anna", "李 Anna"),
        ("", ""),
        (None, ""),
    ],
)
def test_real_separators_stay_as_one_space_or_one_middle_dot(printed, canonical):
    assert canonical_name(printed) == canonical


@given(first=HAN, second=HAN, padding=PADDING)
def test_padding_between_two_han_characters_always_goes(first, second, padding):
    assert canonical_name(f"{first}{padding}{second}") == canonical_name(first + second)


@given(name=NAME_TEXT)
@example(name="季 成")
@example(name="阿依古丽 . 买买提")
@example(name="a \u0301")
def test_the_canonical_name_is_searched_as_the_name_and_is_stable(name):
    canonical = canonical_name(name)
    # The search key does not change: stored texts need not be derived again.
    assert normalize(canonical) == normalize(name)
    assert canonical_name(canonical) == canonical
    assert canonical == canonical.strip()
    assert "  " not in canonical
    assert all(c == " " or not c.isspace() for c in canonical)


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("張 林", "张林"),
        ("杭州市第一人民醫院", "杭州市第一人民医院"),
        ("阿克蘇地區", "阿克苏地区"),
        ("季成", "季成"),
        ("Zhang Lin", "zhanglin"),
        ("", ""),
    ],
)
def test_queries_are_searched_in_simplified_characters(typed, key):
    assert search_key(typed) == key
