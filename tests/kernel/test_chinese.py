from datetime import date, datetime

import pytest

from aidportal.kernel.chinese import chinese_number, name_pinyin, normalize, parse_date


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
