"""The roster's bulk downloads (/data/): its rows, units and batches, each
field described by the open-data API's schema of it (personnel.api)."""

from aidportal.kernel.datasets import Column, Dataset
from personnel.api import AssignmentOut, BatchBrief, BatchOut, TermOut, UnitOut
from personnel.models import Assignment, Batch, Category, Term, Unit

CATEGORY_LABELS = {value: str(label) for value, label in Category.choices}
KIND_LABELS = {value: str(label) for value, label in Unit.Kind.choices}

roster = Dataset(
    name="roster",
    title="援疆干部人才名录",
    description=(
        "公开名录的各行：每行是一位援疆人员在某批次、某受援单位的一次任职，"
        "与名录页面所列相同。"
    ),
    schema=AssignmentOut,
    columns=(
        Column("id", "任职编号", "id"),
        Column("person_id", "人员编号", "person_id", about="person.id"),
        Column("name", "姓名", "person__name", about="person.name"),
        Column("category", "类别代码", "person__category", about="person.category"),
        Column(
            "category_label",
            "类别",
            "person__category",
            about="person.category_label",
            convert=CATEGORY_LABELS.get,
        ),
        Column("batch_number", "批次序号", "batch__number", about="batch.number"),
        Column("batch", "批次", "batch__label", about="batch.label"),
        Column("term", "期", "term__name"),
        Column(
            "sending_unit_id",
            "派出单位编号",
            "sending_unit_id",
            about="sending_unit.id",
        ),
        Column(
            "sending_unit", "派出单位", "sending_unit__name", about="sending_unit.name"
        ),
        Column(
            "receiving_unit_id",
            "对口支援单位编号",
            "receiving_unit_id",
            about="receiving_unit.id",
        ),
        Column(
            "receiving_unit",
            "对口支援单位",
            "receiving_unit__name",
            about="receiving_unit.name",
        ),
        Column("position", "职务", "position"),
        Column("arrived_on", "到岗日期", "arrived_on"),
        Column("left_on", "离岗日期", "left_on"),
    ),
    rows=lambda: Assignment.objects.published().order_by("id"),
    primary_key=("id",),
)

units = Dataset(
    name="units",
    title="派出单位与受援单位",
    description="公开名录中出现的派出单位和受援单位，含简称、别名、类型与所在地区。",
    schema=UnitOut,
    columns=(
        Column("id", "单位编号", "id"),
        Column("name", "名称", "name"),
        Column("short_name", "简称", "short_name"),
        # Staff's separators are made 顿号 when a unit is saved.
        Column(
            "aliases",
            "别名",
            "aliases",
            note="多个别名以顿号（、）分隔；没有时为空。",
        ),
        Column("kind", "类型代码", "kind"),
        Column("kind_label", "类型", "kind", convert=KIND_LABELS.get),
        Column("region", "所在地区", "region"),
    ),
    rows=lambda: Unit.objects.published().order_by("name", "id"),
    primary_key=("id",),
)

batches = Dataset(
    name="batches",
    title="批次",
    description=(
        "公开名录中的批次及其日期；各期见“期”数据集。"
        "日期不详时给出最早与最晚可能值（如只知年月）。"
    ),
    schema=BatchOut,
    columns=(
        Column("id", "批次编号", "id"),
        Column("number", "批次序号", "number"),
        Column("label", "批次", "label"),
        Column("start_earliest", "开始（最早）", "start_earliest"),
        Column("start_latest", "开始（最晚）", "start_latest"),
        Column("end_earliest", "结束（最早）", "end_earliest"),
        Column("end_latest", "结束（最晚）", "end_latest"),
    ),
    rows=lambda: Batch.objects.published().order_by("number"),
    primary_key=("id",),
)

terms = Dataset(
    name="terms",
    title="期",
    description=(
        "公开名录中各批次的期（首期、二期……）及其日期，按批次和设立先后排列；"
        "batch_id 对应“批次”数据集的 id。"
        "日期不详时给出最早与最晚可能值。"
    ),
    schema=TermOut,
    columns=(
        Column("id", "期编号", "id"),
        Column("batch_id", "批次编号", "batch_id", about="id", schema=BatchBrief),
        Column(
            "batch_number",
            "批次序号",
            "batch__number",
            about="number",
            schema=BatchBrief,
        ),
        Column("name", "期", "name"),
        Column("start_earliest", "开始（最早）", "start_earliest"),
        Column("start_latest", "开始（最晚）", "start_latest"),
        Column("end_earliest", "结束（最早）", "end_earliest"),
        Column("end_latest", "结束（最晚）", "end_latest"),
    ),
    rows=lambda: Term.objects.published().order_by("batch__number", "id"),
    primary_key=("id",),
)

datasets = [roster, units, batches, terms]
