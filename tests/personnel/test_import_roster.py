from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from aidportal.kernel.audit import AuditAction, AuditEntry
from personnel.models import Assignment, Batch, Category, Person, PostStatus, Term, Unit
from tests.builders import make_batch, make_term

pytestmark = pytest.mark.django_db

DEMO_ROSTER = Path(__file__).resolve().parents[2] / "demo" / "roster-batch10-term1.txt"
HEADER = "姓名,派出单位,对口支援单位,职务\n"


def roster_state():
    """Everything an import may touch, to compare before and after."""
    return (
        sorted(Unit.objects.values_list("name_key", "short_name", "aliases")),
        sorted(Batch.objects.values_list("number", "label")),
        sorted(Term.objects.values_list("batch__number", "name")),
        sorted(Person.objects.values_list("name_key", "category", "is_public")),
        sorted(
            Assignment.objects.values_list(
                "person__name_key",
                "batch__number",
                "term__name",
                "sending_unit__name_key",
                "receiving_unit__name_key",
                "position",
                "arrived_on",
                "left_on",
            )
        ),
    )


def run(path, *args):
    call_command("import_roster", str(path), *args)


def write(tmp_path, content, name="roster.csv"):
    path = tmp_path / name
    path.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
    return path


def test_importing_the_reference_roster(capsys):
    run(DEMO_ROSTER, "--batch", "10", "--term", "首期")
    assert Assignment.objects.count() == 43
    assert Person.objects.count() == 43
    assert set(Assignment.objects.values_list("term__name", flat=True)) == {"首期"}
    assert Batch.objects.get().label == "第十批"
    ji = Person.objects.get(name_key="季成")
    # Stored and shown without the padding of the press release.
    assert (ji.name, ji.pinyin, ji.initials, ji.category) == (
        "季成",
        "jicheng",
        "jc",
        Category.MEDICAL,
    )
    chen = Person.objects.get(name_key="陈晶")
    assert chen.name == "陈晶"
    assert chen.category == Category.EDUCATION
    assert Person.objects.filter(category=Category.MEDICAL).count() == 6
    assert "43 行" in capsys.readouterr().out


def test_importing_twice_reuses_units_and_people():
    run(DEMO_ROSTER, "--batch", "10", "--term", "首期")
    before = roster_state()
    run(DEMO_ROSTER, "--batch", "10", "--term", "首期")
    assert roster_state() == before


def test_a_second_roster_reuses_units_by_normalised_name(tmp_path):
    run(DEMO_ROSTER, "--batch", "10")
    units = Unit.objects.count()
    path = write(
        tmp_path,
        HEADER
        + "季 成,杭州市 第一人民医院,阿克苏市人民医院,院长\n"
        + "新来者,杭州市第一人民医院 ,阿克苏市人民医院,医生\n",
    )
    run(path, "--batch", "11")
    assert Unit.objects.count() == units
    assert Person.objects.filter(name_key="季成").count() == 1
    assert Assignment.objects.filter(person__name_key="季成").count() == 2


def test_same_name_from_another_unit_is_another_person(tmp_path):
    path = write(
        tmp_path,
        HEADER
        + "王军,杭州市萧山区北干初级中学,阿克苏市实验中学,副校长\n"
        + "王 军,浙江省富阳中学,阿克苏市实验中学,语文教师\n",
    )
    run(path, "--batch", "10")
    assert Person.objects.filter(name_key="王军").count() == 2


@pytest.mark.parametrize(
    ("args", "column", "expected"),
    [
        ((), "", Category.EDUCATION),
        (("--category", "cadre"), "", Category.CADRE),
        (("--category", "cadre"), "医疗", Category.MEDICAL),
        ((), "其他", Category.OTHER),
    ],
)
def test_category_is_inferred_and_can_be_overridden(tmp_path, args, column, expected):
    path = write(
        tmp_path,
        "姓名,派出单位,对口支援单位,职务,类别\n"
        f"方林,建德市寿昌中学,阿克苏市实验中学,地理教师,{column}\n",
    )
    run(path, "--batch", "10", *args)
    assert Person.objects.get().category == expected


def test_dry_run_reports_and_writes_nothing(capsys):
    run(DEMO_ROSTER, "--batch", "10", "--dry-run")
    assert roster_state() == ([], [], [], [], [])
    assert "试运行" in capsys.readouterr().out


BAD_FILES = {
    "missing-name": HEADER
    + "季成,甲,乙,副院长\n,杭州市第一人民医院,阿克苏市人民医院,副院长\n",
    "missing-unit": HEADER + "季成,,阿克苏市人民医院,副院长\n",
    "unknown-header": "姓名,派出单位,对口支援单位,手机\n季成,甲,乙,1\n",
    "bad-date": "姓名,派出单位,对口支援单位,到岗日期\n季成,甲,乙,2021-02-30\n",
    "duplicate-rows": HEADER + "季成,甲,乙,副院长\n季 成,甲,乙,院长\n",
    "nul": HEADER + "季\x00成,甲,乙,副院长\n",
    "empty": "",
    "header-only": HEADER,
}


@pytest.mark.parametrize("content", BAD_FILES.values(), ids=BAD_FILES.keys())
def test_a_bad_file_writes_nothing_and_fails(tmp_path, capsys, content):
    run(DEMO_ROSTER, "--batch", "10")
    before = roster_state()
    with pytest.raises(CommandError, match="未导入任何数据"):
        run(write(tmp_path, content), "--batch", "10")
    assert roster_state() == before
    errors = capsys.readouterr().err.strip().splitlines()
    assert errors and all(line.startswith("第") and "行 " in line for line in errors)


def test_wrong_encoding_writes_nothing(tmp_path, capsys):
    path = write(tmp_path, (HEADER + "季成,甲,乙,副院长\n").encode("gb18030"))
    with pytest.raises(CommandError):
        run(path, "--batch", "10")
    assert roster_state() == ([], [], [], [], [])
    assert "UTF-8" in capsys.readouterr().err


def test_one_bad_row_among_many_writes_nothing(tmp_path, capsys):
    rows = [f"人员{i},派出单位{i % 50},阿克苏市实验中学,教师\n" for i in range(2000)]
    rows[1234] = ",派出单位1,阿克苏市实验中学,教师\n"
    with pytest.raises(CommandError):
        run(write(tmp_path, HEADER + "".join(rows)), "--batch", "10")
    assert roster_state() == ([], [], [], [], [])
    assert capsys.readouterr().err.strip() == "第1236行 姓名（name）：不能为空"


def test_rows_without_a_batch_are_refused(tmp_path, capsys):
    with pytest.raises(CommandError):
        run(write(tmp_path, HEADER + "季成,甲,乙,副院长\n"))
    assert "batch" in capsys.readouterr().err
    assert not Assignment.objects.exists()


def test_missing_file_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(CommandError):
        run(tmp_path / "nope.csv", "--batch", "10")
    assert "无法读取" in capsys.readouterr().err


# Dates: --arrived / --left, or the term's

DATED_HEADER = "姓名,派出单位,对口支援单位,职务,到岗日期,离岗日期\n"


def dates_by_name():
    rows = Assignment.objects.values_list("person__name_key", "arrived_on", "left_on")
    return {name: (arrived, left) for name, arrived, left in rows}


def test_arrived_and_left_stand_for_the_dates_a_row_does_not_give(tmp_path):
    path = write(
        tmp_path,
        DATED_HEADER
        + "季成,甲,阿克苏市人民医院,副院长,,\n"
        + "王芳,乙,阿克苏市人民医院,护士,2020-05-01,\n"
        + "陈晶,丙,阿克苏市人民医院,医生,,2021-01-31\n",
    )
    run(path, "--batch", "10", "--arrived", "2020-03-20", "--left", "2021年6月28日")
    assert dates_by_name() == {
        "季成": (date(2020, 3, 20), date(2021, 6, 28)),
        "王芳": (date(2020, 5, 1), date(2021, 6, 28)),
        "陈晶": (date(2020, 3, 20), date(2021, 1, 31)),
    }


def test_without_dates_the_rows_take_their_term_s(tmp_path):
    term = make_term(make_batch(10), "首期", end=(date(2021, 6, 28),) * 2)
    run(DEMO_ROSTER, "--batch", "10", "--term", "首期")
    assert set(dates_by_name().values()) == {(None, None)}
    assert set(Assignment.objects.values_list("term", flat=True)) == {term.pk}
    assert not Assignment.objects.in_post_on(date(2021, 6, 29)).exists()
    left = Assignment.objects.with_post_status(date(2021, 6, 29)).filter(
        post_status=PostStatus.LEFT
    )
    assert left.count() == 43


def test_a_new_term_is_made_in_its_batch_only(tmp_path):
    make_term(make_batch(9), "首期")
    run(DEMO_ROSTER, "--batch", "10", "--term", "首期")
    assert sorted(Term.objects.values_list("batch__number", "name")) == [
        (9, "首期"),
        (10, "首期"),
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--arrived", "2021-02-30"), "--arrived：无法识别的日期“2021-02-30”"),
        (("--left", "去年"), "--left：无法识别的日期“去年”"),
        (("--arrived", "2021-07-01", "--left", "2021-06-28"), "--left 的日期早于"),
        (("--term", "期" * 21), "--term 超过 20 个字符"),
    ],
    ids=["bad-arrived", "bad-left", "left-before-arrived", "term-too-long"],
)
def test_bad_date_options_are_refused_before_anything_is_read(args, message):
    with pytest.raises(CommandError, match=message):
        run(DEMO_ROSTER, "--batch", "10", *args)
    assert roster_state() == ([], [], [], [], [])


def test_a_row_date_out_of_order_with_the_options_writes_nothing(tmp_path, capsys):
    path = write(
        tmp_path,
        DATED_HEADER
        + "季成,甲,阿克苏市人民医院,副院长,,\n"
        + "王芳,乙,阿克苏市人民医院,护士,2021-07-01,\n",
    )
    with pytest.raises(CommandError, match="未导入任何数据"):
        run(path, "--batch", "10", "--left", "2021-06-28")
    assert roster_state() == ([], [], [], [], [])
    assert capsys.readouterr().err.strip() == (
        "第3行 到岗日期（arrived_on）：离岗日期（2021-06-28）早于到岗日期（2021-07-01）"
    )


def test_an_import_is_an_entry_of_the_audit_log_and_a_dry_run_none():
    run(DEMO_ROSTER, "--batch", "10", "--dry-run")
    assert not AuditEntry.objects.exists()
    run(DEMO_ROSTER, "--batch", "10", "--term", "首期")
    [entry] = AuditEntry.objects.all()
    # The command line is the system: no user, no address.
    assert (entry.action, entry.user, entry.username, entry.address) == (
        AuditAction.IMPORT,
        None,
        "",
        None,
    )
    assert entry.content_type.model_class() is Assignment
    assert entry.detail["file"] == "roster-batch10-term1.txt"
    assert (entry.detail["rows"], entry.detail["added"], entry.detail["changed"]) == (
        43,
        43,
        0,
    )


def test_a_refused_import_leaves_no_entry(tmp_path):
    path = write(tmp_path, HEADER + "季成,甲医院,乙医院\n")  # no batch anywhere
    with pytest.raises(CommandError):
        run(path)
    assert not AuditEntry.objects.exists()
