from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from personnel.models import Assignment, Batch, Category, Person, PostStatus, Term, Unit
from tests.builders import (
    EDITOR,
    batch_form,
    csv_upload,
    edit_version,
    form_errors,
    make_assignment,
    make_batch,
    make_staff,
    make_term,
    make_unit,
    person_post,
    unit_form,
)

pytestmark = pytest.mark.django_db


def changelist(admin_client, model="person", **params):
    return admin_client.get(reverse(f"admin:personnel_{model}_changelist"), params)


def listed(response):
    """Names of the people on a Person changelist, and the count it shows."""
    cl = response.context["cl"]
    assert cl.result_count == len(cl.result_list)
    return {str(person) for person in cl.result_list}


# Pages


@pytest.fixture
def assignment():
    return make_assignment(
        name="季 成",
        category=Category.MEDICAL,
        sending_unit=make_unit("浙江大学医学院附属第一医院", aliases="浙大一院、浙一"),
        receiving_unit=make_unit("阿克苏地区第一人民医院"),
        position="副院长",
        arrived_on=date(2021, 7, 1),
    )


OBJECTS = {
    "unit": lambda a: a.sending_unit,
    "batch": lambda a: a.batch,
    "person": lambda a: a.person,
    "assignment": lambda a: a,
}


@pytest.mark.parametrize("model", OBJECTS)
@pytest.mark.parametrize("view", ["changelist", "add", "change", "history"])
def test_admin_pages_render(admin_client, assignment, model, view):
    obj = OBJECTS[model](assignment)
    args = [obj.pk] if view in ("change", "history") else []
    response = admin_client.get(reverse(f"admin:personnel_{model}_{view}", args=args))
    assert response.status_code == 200
    if view != "add":
        assert str(obj) in response.content.decode()


@pytest.mark.parametrize(
    "query", ["季 成", "季成", "季\u3000成", "季\u00a0成", "jicheng", "JC"]
)
def test_person_search_ignores_padding_and_knows_pinyin(admin_client, query):
    make_assignment(name="季 成")
    make_assignment(name="王芳")
    assert listed(changelist(admin_client, q=query)) == {"季成"}


@pytest.mark.parametrize(
    "term", ["浙大一院", "浙一", "浙江大学医学院附属第一医院", "浙江 大学"]
)
def test_unit_autocomplete_finds_a_unit_by_alias_or_name(admin_client, term):
    unit = make_unit("浙江大学医学院附属第一医院", aliases="浙大一院、浙一")
    make_unit("阿克苏地区第一人民医院")
    response = admin_client.get(
        "/admin/autocomplete/",
        {
            "app_label": "personnel",
            "model_name": "assignment",
            "field_name": "receiving_unit",
            "term": term,
        },
    )
    assert response.status_code == 200
    assert response.json()["results"] == [{"id": str(unit.pk), "text": unit.name}]


# List filters


@pytest.fixture
def people():
    """Two people in post (batch 10, unit h1) and one back home (batch 9, h2)."""
    h1, h2 = make_unit("拜城县人民医院"), make_unit("温宿县第一中学")
    start = date(2021, 7, 1)
    for name, category in (("在岗甲", Category.MEDICAL), ("在岗乙", Category.CADRE)):
        make_assignment(
            name=name,
            category=category,
            batch=make_batch(10),
            receiving_unit=h1,
            arrived_on=start,
        )
    make_assignment(
        name="返回丙",
        category=Category.EDUCATION,
        batch=make_batch(9),
        receiving_unit=h2,
        arrived_on=date(2018, 7, 1),
        left_on=date(2020, 1, 15),
    )
    return {"h1": h1, "h2": h2}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (lambda p: {}, {"在岗甲", "在岗乙", "返回丙"}),
        (
            lambda p: {
                "assignments__batch__id__exact": Batch.objects.get(number=10).pk
            },
            {"在岗甲", "在岗乙"},
        ),
        (lambda p: {"category__exact": "medical"}, {"在岗甲"}),
        (lambda p: {"category__exact": "education"}, {"返回丙"}),
        (
            lambda p: {"assignments__receiving_unit__id__exact": p["h2"].pk},
            {"返回丙"},
        ),
        (lambda p: {"in_post": "in_post"}, {"在岗甲", "在岗乙"}),
        (lambda p: {"in_post": "left"}, {"返回丙"}),
        (lambda p: {"in_post": "unknown"}, set()),
    ],
    ids=[
        "all",
        "batch",
        "medical",
        "education",
        "receiving-unit",
        "in-post",
        "back",
        "unknown",
    ],
)
def test_person_list_filters_narrow_the_changelist(
    admin_client, people, params, expected
):
    response = changelist(admin_client, **params(people))
    assert response.status_code == 200
    assert listed(response) == expected


# The second assignment, in days from today, of someone who served 2018–2020,
# and where that leaves the person today.
SECOND_TERMS = {
    "back-in-post": ((-30, None), PostStatus.IN_POST),
    "not-yet-arrived": ((30, None), PostStatus.NOT_YET),
    "back-home-again": ((-400, -1), PostStatus.LEFT),
    "dates-unknown": ((None, None), PostStatus.UNKNOWN),
}


@pytest.mark.parametrize("case", SECOND_TERMS)
def test_in_post_filter_looks_at_every_assignment_of_a_person(admin_client, case):
    (arrived, left), status = SECOND_TERMS[case]
    today = timezone.localdate()
    first = make_assignment(
        name="两度援疆",
        batch=make_batch(9),
        arrived_on=date(2018, 7, 1),
        left_on=date(2020, 1, 15),
    )
    make_assignment(
        first.person,
        batch=make_batch(10),
        arrived_on=None if arrived is None else today + timedelta(days=arrived),
        left_on=None if left is None else today + timedelta(days=left),
    )
    for value in PostStatus.values:
        assert listed(changelist(admin_client, in_post=value)) == (
            {"两度援疆"} if value == status else set()
        ), value


def test_person_without_any_assignment_is_not_listed_as_in_post(admin_client):
    Person.objects.create(name="尚未派出")
    make_assignment(name="在岗者", arrived_on=date(2021, 7, 1))
    assert listed(changelist(admin_client, in_post="in_post")) == {"在岗者"}
    for value in ("left", "unknown", "not_yet"):
        assert listed(changelist(admin_client, in_post=value)) == set()


def test_assignment_in_post_filter_counts_undated_rows_as_unknown(admin_client):
    make_assignment(name="无日期")
    make_assignment(name="在岗者", arrived_on=date(2021, 7, 1))

    def shown(value):
        response = changelist(admin_client, model="assignment", in_post=value)
        return {a.person.name for a in response.context["cl"].result_list}

    assert shown("in_post") == {"在岗者"}
    assert shown("unknown") == {"无日期"}
    assert shown("left") == set()


# Bulk action: mark returned


@pytest.fixture
def open_assignments():
    """季成: one open, one closed assignment; 晚到: arrived after 2021-06-28;
    未选: open, and not selected."""
    ji = make_assignment(name="季成", batch=make_batch(10), arrived_on=date(2021, 1, 1))
    closed = make_assignment(ji.person, batch=make_batch(9), left_on=date(2019, 6, 30))
    late = make_assignment(name="晚到", arrived_on=date(2021, 7, 1))
    other = make_assignment(name="未选", arrived_on=date(2021, 1, 1))
    return {"open": ji, "closed": closed, "late": late, "other": other}


def mark_returned(admin_client, people, **extra):
    return admin_client.post(
        reverse("admin:personnel_person_changelist"),
        {
            "action": "mark_returned",
            "_selected_action": [person.pk for person in people],
            **extra,
        },
    )


def left_on(assignments):
    return {
        key: Assignment.objects.get(pk=a.pk).left_on for key, a in assignments.items()
    }


def test_mark_returned_first_asks_for_the_date(admin_client, open_assignments):
    before = left_on(open_assignments)
    selected = [open_assignments["open"].person, open_assignments["late"].person]
    response = mark_returned(admin_client, selected)
    assert response.status_code == 200
    assert "admin/personnel/mark_returned.html" in [t.name for t in response.templates]
    assert "left_on" in response.context["form"].fields
    assert set(response.context["queryset"]) == set(selected)
    assert left_on(open_assignments) == before


@pytest.mark.parametrize("typed", ["2021年6月28日", "2021-06-28", "2021/6/28"])
def test_mark_returned_sets_the_date_on_open_assignments_only(
    admin_client, open_assignments, typed
):
    selected = [open_assignments["open"].person, open_assignments["late"].person]
    response = mark_returned(admin_client, selected, apply="1", left_on=typed)
    assert response.status_code == 302
    assert left_on(open_assignments) == {
        "open": date(2021, 6, 28),
        "closed": date(2019, 6, 30),
        "late": None,  # arrived after the date: left as it was
        "other": None,  # not selected
    }


@pytest.mark.parametrize("typed", ["", "notadate", "2021年13月1日"])
def test_mark_returned_with_a_bad_date_asks_again_and_changes_nothing(
    admin_client, open_assignments, typed
):
    before = left_on(open_assignments)
    selected = [open_assignments["open"].person]
    response = mark_returned(admin_client, selected, apply="1", left_on=typed)
    assert response.status_code == 200
    assert response.context["form"].errors["left_on"]
    assert left_on(open_assignments) == before


# Batches and terms: their dates in the admin


def term_rows(batch, *rows):
    """The batch's change form as posted, with new term rows (dicts of name,
    start and end) after its own."""
    data = batch_form(batch)
    first = int(data["terms-TOTAL_FORMS"])
    for index, row in enumerate(rows, start=first):
        values = {"id": "", "batch": batch.pk, "start": "", "end": "", **row}
        data.update({f"terms-{index}-{key}": value for key, value in values.items()})
    data["terms-TOTAL_FORMS"] = first + len(rows)
    return data


def post_batch(client, batch, data):
    return client.post(reverse("admin:personnel_batch_change", args=[batch.pk]), data)


def test_a_batch_and_its_terms_take_dates_to_the_day_month_or_year(admin_client):
    batch = make_batch(10)
    data = term_rows(batch, {"name": "首期", "end": "2021年6月28日"})
    data.update(start="2020年3月", end="")
    response = post_batch(admin_client, batch, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    batch.refresh_from_db()
    term = batch.terms.get()
    assert (batch.start_text, batch.end, term.name, term.start) == (
        "2020年3月",
        None,
        "首期",
        None,
    )
    assert term.end == (date(2021, 6, 28), date(2021, 6, 28))
    page = admin_client.get(reverse("admin:personnel_batch_change", args=[batch.pk]))
    assert 'value="2020年3月"' in page.content.decode()
    assert 'value="2021年6月28日"' in page.content.decode()
    listing = changelist(admin_client, model="batch").content.decode()
    assert "2020年3月" in listing


@pytest.mark.parametrize(
    ("changes", "row", "error"),
    [
        ({"start": "三月"}, None, "无法识别的日期“三月”"),
        ({"start": "2021年", "end": "2020年"}, None, "结束日期不能早于开始日期"),
        (
            {},
            {"name": "首期", "start": "2021-07-01", "end": "2021-06-28"},
            "结束日期不能早于开始日期",
        ),
        ({}, {"name": "首期", "end": "2021年13月"}, "无法识别的日期“2021年13月”"),
    ],
    ids=["batch-unreadable", "batch-end-first", "term-end-first", "term-unreadable"],
)
def test_a_bad_date_is_a_form_error_and_changes_nothing(
    admin_client, changes, row, error
):
    batch = make_batch(10)
    data = term_rows(batch, *([row] if row else []))
    data.update(changes)
    response = post_batch(admin_client, batch, data)
    assert response.status_code == 200
    assert error in response.content.decode()
    batch.refresh_from_db()
    assert (batch.start, batch.end, batch.terms.exists()) == (None, None, False)


def test_a_term_name_twice_in_a_batch_is_a_form_error(admin_client):
    batch = make_term(make_batch(10), "首期").batch
    response = post_batch(admin_client, batch, term_rows(batch, {"name": "首期"}))
    assert response.status_code == 200
    assert "同一批次中不能有两个同名的期" in response.content.decode()
    assert batch.terms.count() == 1


def test_a_term_used_by_assignments_cannot_be_deleted(admin_client):
    assignment = make_assignment(term="首期")
    data = batch_form(assignment.batch)
    data["terms-0-DELETE"] = "on"
    response = post_batch(admin_client, assignment.batch, data)
    assert response.status_code == 200
    assert Term.objects.filter(pk=assignment.term_id).exists()


@pytest.mark.parametrize(("live", "allowed"), [(False, True), (True, False)])
def test_an_editor_dates_the_terms_of_a_batch_not_yet_public(client, live, allowed):
    """Terms have no permissions of their own: the batch's decide, and a
    batch the public sees needs a publisher."""
    client.force_login(make_staff(EDITOR))
    batch = make_batch(11)
    make_assignment(batch=batch, is_public=live)
    page = client.get(reverse("admin:personnel_batch_change", args=[batch.pk]))
    assert ('name="terms-0-end"' in page.content.decode()) is allowed
    post_batch(client, batch, term_rows(batch, {"name": "二期", "end": "2022年"}))
    assert batch.terms.filter(name="二期").exists() is allowed


def test_an_assignment_s_term_is_chosen_by_batch_and_name(admin_client):
    assignment = make_assignment(batch=make_batch(10), term="首期")
    other = make_term(make_batch(9), "首期")
    url = reverse("admin:personnel_assignment_change", args=[assignment.pk])
    page = admin_client.get(url).content.decode()
    assert ">第十批首期</option>" in page and ">第九批首期</option>" in page
    response = admin_client.post(
        url, {**assignment_fields(assignment), "term": other.pk}
    )
    assert response.status_code == 200
    assert "“第九批首期”不是所选批次的期" in response.content.decode()
    assignment.refresh_from_db()
    assert assignment.term.batch.number == 10


# History


def assignment_fields(a, prefix=""):
    """An assignment's fields as its admin form posts them."""
    values = {
        "person": a.person_id,
        "batch": a.batch_id,
        "term": a.term_id or "",
        "sending_unit": a.sending_unit_id,
        "receiving_unit": a.receiving_unit_id,
        "position": a.position,
        "arrived_on": a.arrived_on.isoformat() if a.arrived_on else "",
        "left_on": a.left_on.isoformat() if a.left_on else "",
    }
    return {f"{prefix}{name}": value for name, value in values.items()}


def person_form(person):
    """The change form of a person, with the inline rows of its assignments
    unchanged (the inline prefix is "assignments")."""
    assignments = list(person.assignments.order_by("pk"))
    data = {
        "name": person.name,
        "category": person.category,
        "status": person.status,
        "bio": person.bio,
        "photo_alt": person.photo_alt,
        "assignments-TOTAL_FORMS": len(assignments),
        "assignments-INITIAL_FORMS": len(assignments),
        "assignments-MIN_NUM_FORMS": 0,
        "assignments-MAX_NUM_FORMS": 1000,
    }
    for index, a in enumerate(assignments):
        data[f"assignments-{index}-id"] = a.pk
        data.update(assignment_fields(a, prefix=f"assignments-{index}-"))
    return data


EDITS = {
    "person": (lambda a: a.person, person_form, "bio", "心内科专家。"),
    "batch": (lambda a: a.batch, batch_form, "label", "第十批(援疆)"),
    "unit": (lambda a: a.sending_unit, unit_form, "region", "上城区"),
    "assignment": (lambda a: a, assignment_fields, "position", "院长"),
}


@pytest.mark.parametrize("model", EDITS)
def test_editing_through_the_admin_records_history_with_the_editor(
    admin_client, admin_user, assignment, model
):
    get_object, form, field, value = EDITS[model]
    obj = get_object(assignment)
    before = obj.history.count()
    response = admin_client.post(
        reverse(f"admin:personnel_{model}_change", args=[obj.pk]),
        {**form(obj), **edit_version(obj), field: value},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert obj.history.count() == before + 1
    latest = obj.history.first()
    assert getattr(latest, field) == value
    assert latest.history_user == admin_user
    history = admin_client.get(
        reverse(f"admin:personnel_{model}_history", args=[obj.pk])
    )
    assert history.status_code == 200
    assert admin_user.username in history.content.decode()


# Import (django-import-export)

IMPORT_URL = "/admin/personnel/assignment/import/"
GOOD_CSV = """姓名,派出单位,对口支援单位,职务
季 成,浙江大学医学院附属第一医院,阿克苏地区第一人民医院,副院长
王芳,杭州第二中学,阿克苏市实验中学,数学教师
陈\u3000晶,萧山区第一人民医院,阿克苏地区第一人民医院,护士长
"""


def csv_format(admin_client):
    choices = admin_client.get(IMPORT_URL).context["form"].fields["format"].choices
    return next(value for value, label in choices if str(label).lower() == "csv")


def preview(admin_client, text, **options):
    return admin_client.post(
        IMPORT_URL,
        {
            "import_file": csv_upload(text),
            "format": csv_format(admin_client),
            "resource": "0",
            "batch": "10",
            "term": "首期",
            "category": "",
            **options,
        },
    )


def confirm(admin_client, response):
    data = {
        name: "" if value is None else value
        for name, value in response.context["confirm_form"].initial.items()
    }
    return admin_client.post("/admin/personnel/assignment/process_import/", data)


def nothing_written():
    return not any(
        model.objects.exists() for model in (Assignment, Person, Unit, Batch, Term)
    )


def test_import_page_offers_batch_term_and_category(admin_client):
    response = admin_client.get(IMPORT_URL)
    assert response.status_code == 200
    fields = response.context["form"].fields
    assert {"batch", "term", "category", "import_file", "format"} <= set(fields)
    page = response.content.decode()
    for name in ("batch", "term", "category"):
        assert f'name="{name}"' in page


def test_import_previews_then_writes_on_confirm(admin_client):
    response = preview(admin_client, GOOD_CSV)
    assert response.status_code == 200
    result = response.context["result"]
    assert not result.has_errors()
    assert not result.has_validation_errors()
    assert nothing_written()

    confirm = {
        name: "" if value is None else value
        for name, value in response.context["confirm_form"].initial.items()
    }
    done = admin_client.post("/admin/personnel/assignment/process_import/", confirm)
    assert done.status_code == 302
    rows = Assignment.objects.select_related("person", "batch")
    # Stored without the padding of the file ("季 成", "陈\u3000晶").
    assert sorted(a.person.name for a in rows) == ["季成", "王芳", "陈晶"]
    assert {(a.batch.number, a.term.name) for a in rows} == {(10, "首期")}
    assert Person.objects.get(name="季成").category == Category.MEDICAL


def test_import_dates_stand_for_the_dates_rows_do_not_give(admin_client):
    text = GOOD_CSV.replace("职务\n", "职务,到岗日期\n").replace(
        "副院长\n", "副院长,2020-05-01\n"
    )
    response = preview(
        admin_client, text, arrived_on="2020-03-20", left_on="2021年6月28日"
    )
    assert not response.context["result"].has_validation_errors()
    assert confirm(admin_client, response).status_code == 302
    dates = dict(Assignment.objects.values_list("person__name", "arrived_on"))
    assert dates == {
        "季成": date(2020, 5, 1),
        "王芳": date(2020, 3, 20),
        "陈晶": date(2020, 3, 20),
    }
    assert set(Assignment.objects.values_list("left_on", flat=True)) == {
        date(2021, 6, 28)
    }


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (
            {"arrived_on": "2021-07-01", "left_on": "2021-06-28"},
            "离岗日期不能早于到岗日期",
        ),
        ({"arrived_on": "2021年3月"}, "输入一个有效的日期"),
    ],
    ids=["out-of-order", "unreadable"],
)
def test_bad_import_dates_are_a_form_error(admin_client, options, error):
    response = preview(admin_client, GOOD_CSV, **options)
    assert response.status_code == 200
    assert error in response.content.decode()
    assert "confirm_form" not in response.context
    assert nothing_written()


def test_import_with_a_bad_row_shows_row_errors_and_writes_nothing(admin_client):
    text = GOOD_CSV.replace("王芳,杭州第二中学,", "王芳,,")
    response = preview(admin_client, text)
    assert response.status_code == 200
    result = response.context["result"]
    assert result.has_validation_errors()
    (invalid,) = result.invalid_rows
    assert invalid.number == 3  # the file's line: the header is line 1
    assert "不能为空" in str(invalid.error_dict)
    assert "confirm_form" not in response.context
    assert nothing_written()


def test_import_with_an_unknown_header_names_it_and_writes_nothing(admin_client):
    text = GOOD_CSV.replace("职务", "手机号", 1)
    response = preview(admin_client, text)
    assert response.status_code == 200
    assert response.context["result"].has_errors()
    page = response.content.decode()
    assert "手机号" in page
    assert "无法识别的列名" in page
    assert "confirm_form" not in response.context
    assert nothing_written()


def test_editing_a_unit_or_person_in_the_admin_refreshes_their_assignments(
    admin_client,
):
    assignment = make_assignment(
        name="季 成", sending_unit=make_unit("杭州市第一人民医院")
    )
    unit = assignment.sending_unit
    response = admin_client.post(
        reverse("admin:personnel_unit_change", args=[unit.pk]),
        unit_form(unit, aliases="浙大一院"),
    )
    assert response.status_code == 302
    assert list(Assignment.objects.search("浙大一院")) == [assignment]


# Canonical names and aliases in the admin


def test_the_person_form_saves_and_shows_the_canonical_name(admin_client):
    response = admin_client.post(
        reverse("admin:personnel_person_add"), person_post(name=" 季\u3000成 ")
    )
    assert response.status_code == 302, form_errors(response)
    person = Person.objects.get()
    assert (person.name, person.name_key) == ("季成", "季成")
    # The form's own value is the canonical name (what its checks see).
    again = admin_client.post(
        reverse("admin:personnel_person_change", args=[person.pk]),
        person_post(person, name="王\u00a0芳", category="nonsense"),
    )
    assert again.status_code == 200
    assert again.context["adminform"].form.cleaned_data["name"] == "王芳"


def test_a_name_too_long_once_made_canonical_is_a_form_error(admin_client):
    # NFKC spells each "㍻" as "平成": 30 characters become 60.
    response = admin_client.post(
        reverse("admin:personnel_person_add"), person_post(name="㍻" * 30)
    )
    assert response.status_code == 200
    assert "name" in form_errors(response)
    assert not Person.objects.exists()


def test_aliases_typed_with_full_width_commas_are_each_found(admin_client):
    assignment = make_assignment(sending_unit=make_unit("浙江大学医学院附属第一医院"))
    unit = assignment.sending_unit
    response = admin_client.post(
        reverse("admin:personnel_unit_change", args=[unit.pk]),
        unit_form(unit, aliases="浙大一院，浙一医院；浙一"),
    )
    assert response.status_code == 302, form_errors(response)
    unit.refresh_from_db()
    assert unit.aliases == "浙大一院、浙一医院、浙一"
    for alias in ("浙大一院", "浙一医院", "浙一"):
        assert list(Assignment.objects.search(alias)) == [assignment], alias
    assert not Assignment.objects.search("院浙").exists(), "no match across aliases"
