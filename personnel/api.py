"""The roster in the open-data API: people, assignments (the roster's rows,
under the roster page's filters), units and batches."""

from datetime import date
from typing import Annotated, Literal

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema
from pydantic import BeforeValidator

from aidportal.kernel.api import (
    ERROR_RESPONSES,
    MAX_ID,
    NOT_FOUND,
    ApiError,
    PageQuery,
    accepts,
    cursor_page,
    page_schema,
)
from aidportal.kernel.forms import NOT_FOUND as NOT_FOUND_CODE
from aidportal.kernel.pagination import CappedPaginator
from personnel.filters import SORT_ORDERS, RosterFilter, roster_rows
from personnel.models import Batch, Category, Person, Term, Unit

router = Router(tags=["援疆人员名录"])

PERSON_ORDER = ["name_key", "id"]
UNIT_ORDER = ["name", "id"]
BATCH_ORDER = ["number"]


def _blank_is_none(value):
    # An empty field of a form ("batch=") asks for no filter, as on the page.
    return None if value == "" else value


Id = Annotated[int, Path(ge=1, le=MAX_ID, description="编号。")]
CategoryCode = Literal[tuple(Category.values)]
CATEGORIES = "、".join(f"{c.value}（{c.label}）" for c in Category)


# Schemas


class PersonBrief(Schema):
    id: int = Field(description="人员编号。")
    name: str = Field(description="姓名，按公开发布的写法（两字姓名不含排版空格）。")
    category: CategoryCode = Field(description=f"类别代码：{CATEGORIES}。")
    category_label: str = Field(
        description="类别的中文名称。", validation_alias="get_category_display"
    )


class UnitBrief(Schema):
    id: int = Field(description="单位编号。")
    name: str = Field(description="单位全称。")
    short_name: str = Field(description="简称；没有时为空字符串。")


class BatchBrief(Schema):
    id: int = Field(description="批次编号（内部编号，不是批次序号）。")
    number: int = Field(description="批次序号，如 10 表示第十批。")
    label: str = Field(description="批次名称，如“第十批”。")


class TermOut(Schema):
    id: int = Field(description="期的编号。")
    name: str = Field(description="期的名称，如“首期”。")
    start_earliest: date | None = Field(
        description="开始日期的最早可能值；不详时为空。"
    )
    start_latest: date | None = Field(description="开始日期的最晚可能值；不详时为空。")
    end_earliest: date | None = Field(description="结束日期的最早可能值；不详时为空。")
    end_latest: date | None = Field(description="结束日期的最晚可能值；不详时为空。")


class AssignmentOut(Schema):
    id: int = Field(description="任职编号。")
    person: PersonBrief = Field(description="援疆人员。")
    batch: BatchBrief = Field(description="所属批次。")
    term: str | None = Field(description="所属的期，如“首期”；未分期时为空。")
    sending_unit: UnitBrief = Field(description="派出单位。")
    receiving_unit: UnitBrief = Field(description="对口支援（受援）单位。")
    position: str = Field(description="在受援单位的职务；没有时为空字符串。")
    arrived_on: date | None = Field(description="本人的到岗日期；未填时为空。")
    left_on: date | None = Field(description="本人的离岗日期；未填时为空。")
    period: str = Field(
        description="任职时间，如页面所示：本人日期，否则按所在期或批次的日期。"
    )

    @staticmethod
    def resolve_term(obj):
        return obj.term.name if obj.term_id else None


class PersonAssignment(Schema):
    id: int = Field(description="任职编号。")
    batch: BatchBrief = Field(description="所属批次。")
    term: str | None = Field(description="所属的期，如“首期”；未分期时为空。")
    sending_unit: UnitBrief = Field(description="派出单位。")
    receiving_unit: UnitBrief = Field(description="对口支援（受援）单位。")
    position: str = Field(description="在受援单位的职务；没有时为空字符串。")
    period: str = Field(description="任职时间，如页面所示。")

    resolve_term = staticmethod(AssignmentOut.resolve_term)


class PersonOut(PersonBrief):
    bio: str = Field(description="简介；没有时为空字符串。")
    url: str = Field(description="此人在门户上的页面地址（相对路径）。")

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class PersonDetail(PersonOut):
    assignments: list[PersonAssignment] = Field(
        description="此人的全部援疆任职，新批次在前。"
    )


class UnitOut(UnitBrief):
    aliases: list[str] = Field(
        description="其他常用叫法（不含全称），按名录检索时也能用它们找到。",
        validation_alias="alias_list",
    )
    kind: Literal[tuple(Unit.Kind.values)] = Field(
        description="类型代码："
        + "、".join(f"{k.value}（{k.label}）" for k in Unit.Kind)
        + "。"
    )
    kind_label: str = Field(
        description="类型的中文名称。", validation_alias="get_kind_display"
    )
    region: str = Field(description="所在地区，如“萧山区”；不详时为空字符串。")


class BatchOut(BatchBrief):
    years: str = Field(description="年份，如“2020—2022年”；不详时为空字符串。")
    start_earliest: date | None = Field(
        description="开始日期的最早可能值；不详时为空。"
    )
    start_latest: date | None = Field(description="开始日期的最晚可能值；不详时为空。")
    end_earliest: date | None = Field(description="结束日期的最早可能值；不详时为空。")
    end_latest: date | None = Field(description="结束日期的最晚可能值；不详时为空。")
    terms: list[TermOut] = Field(description="本批次有公开人员的各期，按设立先后。")


AssignmentPage = page_schema(AssignmentOut, "AssignmentPage")
PersonPage = page_schema(PersonOut, "PersonPage")
UnitPage = page_schema(UnitOut, "UnitPage")
BatchPage = page_schema(BatchOut, "BatchPage")


# Parameters

Blank = BeforeValidator(_blank_is_none)
# No database stores a NUL character: a text holding one is a bad parameter.
NO_NUL = r"^[^\x00]*$"


class RosterQuery(Schema):
    """The roster page's filters (/personnel/), with the same meaning."""

    q: str | None = Field(
        None,
        max_length=50,
        pattern=NO_NUL,
        description=(
            "检索词：姓名（有无空格均可）、拼音全拼或首字母、单位全称简称或别名、"
            "职务、批次（如“第十批”）；繁体字按简体检索。"
        ),
    )
    batch: Annotated[int | None, Blank] = Field(
        None, ge=1, le=MAX_ID, description="批次序号，如 10（第十批）。"
    )
    category: Annotated[CategoryCode | None, Blank] = Field(
        None, description=f"类别代码：{CATEGORIES}。"
    )
    sending_unit: Annotated[int | None, Blank] = Field(
        None, ge=1, le=MAX_ID, description="派出单位编号（见 /units/）。"
    )
    receiving_unit: Annotated[int | None, Blank] = Field(
        None, ge=1, le=MAX_ID, description="对口支援单位编号（见 /units/）。"
    )
    on: Annotated[date | None, Blank] = Field(
        None, description="在岗日期，如 2021-07-01：只列这一天在岗的任职。"
    )
    sort: Annotated[Literal[tuple(SORT_ORDERS)] | None, Blank] = Field(
        None,
        description="排序：unit（按受援单位，默认）、name（按姓名拼音）、batch（按批次）。",
    )


class PeopleQuery(Schema):
    q: str | None = Field(
        None,
        max_length=50,
        pattern=NO_NUL,
        description="检索词：姓名（有无空格均可）、拼音全拼或首字母、单位或职务；繁体字按简体检索。",
    )
    category: Annotated[CategoryCode | None, Blank] = Field(
        None, description=f"类别代码：{CATEGORIES}。"
    )


class UnitQuery(Schema):
    q: str | None = Field(
        None,
        max_length=50,
        pattern=NO_NUL,
        description="检索词：单位全称、简称或别名的一部分，如“学军”；繁体字按简体检索。",
    )


# Operations


@router.get(
    "/assignments/",
    response={200: AssignmentPage, **ERROR_RESPONSES},
    summary="援疆任职名单",
    description="公开名录的各行（人员在某批次、某单位的一次任职），筛选与名录页面相同。",
    operation_id="assignments_list",
)
@accepts(RosterQuery, PageQuery)
def assignments(
    request: HttpRequest, filters: Query[RosterQuery], page: Query[PageQuery]
):
    roster = RosterFilter(request.GET, queryset=roster_rows(), request=request)
    if not roster.is_valid():
        raise filter_error(roster.form)
    rows = roster.qs
    searching = roster.searching
    counted = rows.for_count(searching=searching)
    count = CappedPaginator(counted, 1).count
    rows = rows.for_page(count=count, searching=searching)
    return cursor_page(request, rows, SORT_ORDERS[roster.sort_key], page, count=count)


def filter_error(form) -> ApiError:
    """A FilterSet's errors as the API's: a parameter naming a row the public
    may not see is a 404, as on the page (hidden rows cannot be counted);
    any other bad value a 400. The parameter at fault is named."""
    errors = form.errors.as_data()
    for field, found in errors.items():
        if any(error.code == NOT_FOUND_CODE for error in found):
            return ApiError(404, NOT_FOUND, field)
    field, found = next(iter(errors.items()))
    return ApiError(400, found[0].messages[0], field)


@router.get(
    "/people/",
    response={200: PersonPage, **ERROR_RESPONSES},
    summary="援疆人员",
    description="公开的援疆人员，按姓名排列。",
    operation_id="people_list",
)
@accepts(PeopleQuery, PageQuery)
def people(request: HttpRequest, filters: Query[PeopleQuery], page: Query[PageQuery]):
    rows = Person.objects.published().order_by(*PERSON_ORDER)
    if filters.q and filters.q.strip():
        rows = rows.search(filters.q)
    if filters.category:
        rows = rows.filter(category=filters.category)
    return cursor_page(request, rows, PERSON_ORDER, page)


@router.get(
    "/people/{id}/",
    response={200: PersonDetail, **ERROR_RESPONSES},
    summary="一位援疆人员",
    description="一位公开的援疆人员及其全部任职；未公开或不存在的人员为 404。",
    operation_id="people_detail",
)
@accepts()
def person(request: HttpRequest, id: Id):
    return found(Person.objects.published().for_detail(), id)


@router.get(
    "/units/",
    response={200: UnitPage, **ERROR_RESPONSES},
    summary="单位",
    description="公开名录中出现的派出单位和受援单位，按名称排列。",
    operation_id="units_list",
)
@accepts(UnitQuery, PageQuery)
def units(request: HttpRequest, filters: Query[UnitQuery], page: Query[PageQuery]):
    rows = Unit.objects.published().order_by(*UNIT_ORDER)
    if filters.q and filters.q.strip():
        rows = rows.search(filters.q)
    return cursor_page(request, rows, UNIT_ORDER, page)


@router.get(
    "/units/{id}/",
    response={200: UnitOut, **ERROR_RESPONSES},
    summary="一个单位",
    description="公开名录中出现的一个单位；其他编号为 404。",
    operation_id="units_detail",
)
@accepts()
def unit(request: HttpRequest, id: Id):
    return found(Unit.objects.published(), id)


def batches_with_terms():
    return Batch.objects.published().prefetch_related(
        Prefetch("terms", queryset=Term.objects.published().order_by("id"))
    )


@router.get(
    "/batches/",
    response={200: BatchPage, **ERROR_RESPONSES},
    summary="批次",
    description="公开名录中的批次及其各期与日期，按批次序号排列。",
    operation_id="batches_list",
)
@accepts(PageQuery)
def batches(request: HttpRequest, page: Query[PageQuery]):
    rows = batches_with_terms().order_by(*BATCH_ORDER)
    return cursor_page(request, rows, BATCH_ORDER, page)


@router.get(
    "/batches/{id}/",
    response={200: BatchOut, **ERROR_RESPONSES},
    summary="一个批次",
    description="公开名录中的一个批次及其各期与日期；其他编号为 404。",
    operation_id="batches_detail",
)
@accepts()
def batch(request: HttpRequest, id: Id):
    return found(batches_with_terms(), id)


def found(rows, pk):
    row = rows.filter(pk=pk).first()
    if row is None:
        raise ApiError(404, NOT_FOUND, "id")
    return row
