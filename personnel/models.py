import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Prefetch,
    Q,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from aidportal.kernel.chinese import (
    canonical_name,
    chinese_number,
    name_pinyin,
    normalize,
    parse_chinese_number,
    search_key,
)
from aidportal.kernel.facets import Facet, facet_counts, fetched_facet_counts
from aidportal.kernel.images import PictureField
from aidportal.kernel.periods import (
    Period,
    Span,
    partial_date_text,
    period_constraints,
)
from aidportal.kernel.policy import Guarded
from aidportal.kernel.publishing import Content, PublicState, in_order
from aidportal.kernel.search import (
    Searchable,
    SearchableHistory,
    has_common_term,
    sorted_matches,
    walking_the_order,
)
from aidportal.kernel.workflow import PublishStatus, Workflow, status_field

# Staff separate aliases as the help text shows, with full-width commas, or
# with whatever their keyboard gives.
ALIAS_SEPARATORS = re.compile(r"[,，、;；\n]+")
# A batch as people write it: 第十批, 十批, 10批, 第10批, 第十批次.
BATCH_WORD = re.compile(
    r"第?\s*(?<![\d一二三四五六七八九十])(\d{1,3}|[一二三四五六七八九十]{1,3})\s*批次?"
)


class Category(models.TextChoices):
    MEDICAL = "medical", _("医疗")
    EDUCATION = "education", _("教育")
    CADRE = "cadre", _("干部")
    OTHER = "other", _("其他")


class StrippedName:
    """A name saved without the spaces a paste leaves around it (before its
    key and pinyin are derived from it)."""

    def save(self, *args, **kwargs):
        self.name = self.name.strip()
        super().save(*args, **kwargs)


class CanonicalName:
    """A person's name saved in its canonical form, without the padding a
    press release puts between the characters of a short name ("季 成" is
    季成): every path that writes a person (admin, importer, restore) saves
    the same name."""

    def save(self, *args, **kwargs):
        self.name = canonical_name(self.name)
        super().save(*args, **kwargs)


class OrderKeySource:
    """A row whose ``order_source`` field the assignments keep a copy of,
    ``order_key()``, in their ``order_key_field``, where an index of theirs
    serves a roster order: a save that changes it updates theirs (one query),
    any other save costs nothing."""

    order_source = ""
    order_key_field = ""

    def order_key(self):
        raise NotImplementedError

    @classmethod
    def from_db(cls, db, field_names, values):
        row = super().from_db(db, field_names, values)
        loaded = cls.order_source in row.__dict__
        row._stored_order_key = row.order_key() if loaded else None
        return row

    def save(self, *args, **kwargs):
        adding = self._state.adding
        super().save(*args, **kwargs)
        key = self.order_key()
        if not adding and key != getattr(self, "_stored_order_key", None):
            copies = {self.order_key_field: key}
            self.assignments.exclude(**copies).update(**copies)
        self._stored_order_key = key


def batch_and_key(query: str) -> tuple[int | None, str]:
    """The batch a roster query names ("第十批", "十批", "10批") and the
    normalised rest of it: ``(10, "季成")`` for "第十批 季 成"."""
    text = unicodedata.normalize("NFKC", query or "")
    match = BATCH_WORD.search(text)
    number = _batch_number(match.group(1)) if match else None
    if number is None:
        return None, search_key(text)
    return number, search_key(text[: match.start()] + text[match.end() :])


def _batch_number(word: str) -> int | None:
    if word.isdigit():
        return int(word)
    try:
        return parse_chinese_number(word)
    except ValueError:
        return None


class UnitQuerySet(models.QuerySet):
    def published(self):
        """Units the public roster names: sending or receiving a public person."""
        public = Assignment.objects.published()
        return self.filter(
            Exists(public.filter(sending_unit=OuterRef("pk")))
            | Exists(public.filter(receiving_unit=OuterRef("pk")))
        )

    def search(self, query):
        """Units whose name, short name or an alias contains the query (in
        the roster's normalised form: spaces and width do not count)."""
        key = normalize(query)
        return self.filter(search_text__substring=key) if key else self.none()


class Unit(StrippedName, Content, Guarded, Searchable):
    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("医院")
        SCHOOL = "school", _("学校")
        GOVERNMENT = "government", _("机关")
        OTHER = "other", _("其他")

    name = models.CharField(_("名称"), max_length=100)
    name_key = models.CharField(max_length=100, unique=True, editable=False)
    short_name = models.CharField(_("简称"), max_length=50, blank=True)
    aliases = models.CharField(
        _("别名"),
        max_length=300,
        blank=True,
        help_text=_("其他常用叫法，用逗号或顿号分隔，例如：浙大一院、浙一医院。"),
    )
    kind = models.CharField(
        _("类型"), max_length=12, choices=Kind.choices, default=Kind.OTHER
    )
    region = models.CharField(
        _("所在地区"),
        max_length=50,
        blank=True,
        help_text=_("例如：萧山区、阿克苏市。"),
    )

    history = SearchableHistory()
    objects = UnitQuerySet.as_manager()

    derived_fields = ("name_key",)

    class Meta:
        ordering = ["name"]
        verbose_name = _("单位")
        verbose_name_plural = _("单位")

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.aliases = "、".join(self.alias_list)
        super().save(*args, **kwargs)

    def derive(self):
        self.name_key = normalize(self.name)
        super().derive()

    def search_parts(self):
        return [self.name_key, normalize(self.short_name), *self.alias_keys]

    @property
    def is_live(self):
        """Named on the public roster (its names and aliases decide what a
        search finds)."""
        return Unit.objects.published().filter(pk=self.pk).exists()

    @classmethod
    def publish_permission(cls):
        return Person.publish_permission()

    @property
    def alias_list(self) -> list[str]:
        """The aliases as staff wrote them, whatever separated them (a comma,
        a 顿号, a semicolon, a line), each once."""
        aliases = (alias.strip() for alias in ALIAS_SEPARATORS.split(self.aliases))
        return list(dict.fromkeys(alias for alias in aliases if alias))

    @property
    def alias_keys(self):
        return [normalize(alias) for alias in self.alias_list]

    @property
    def other_names(self) -> list[str]:
        """The short name and the aliases, each once and none the name
        itself: what the pages show beside the name, and what a search by
        them finds."""
        names = [self.short_name.strip(), *self.alias_list]
        seen = {self.name_key or normalize(self.name), ""}
        found = []
        for name in names:
            if normalize(name) not in seen:
                seen.add(normalize(name))
                found.append(name)
        return found

    @property
    def display_name(self):
        return self.short_name or self.name


class BatchQuerySet(models.QuerySet):
    def published(self):
        """Batches the public roster shows: with a public person."""
        public = Assignment.objects.published()
        return self.filter(Exists(public.filter(batch=OuterRef("pk"))))


class Batch(OrderKeySource, Content, Guarded, Period):
    """A batch of people sent out together; its start and end are the dates
    of its assignments that have none of their own (nor their term)."""

    number = models.PositiveSmallIntegerField(_("批次"), unique=True)
    label = models.CharField(
        _("名称"),
        max_length=30,
        blank=True,
        help_text=_("留空则自动生成，如“第十批”。"),
    )

    history = HistoricalRecords()
    objects = BatchQuerySet.as_manager()

    # The roster's batch order: newest first.
    order_source = "number"
    order_key_field = "batch_order"

    class Meta:
        ordering = ["-number"]
        verbose_name = _("批次")
        verbose_name_plural = _("批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(number__gte=1), name="batch_number_positive"
            ),
            *period_constraints("batch"),
        ]

    def __str__(self):
        return self.label

    def save(self, *args, **kwargs):
        if not self.label:
            self.label = f"第{chinese_number(self.number)}批"
        super().save(*args, **kwargs)

    @property
    def is_live(self):
        """Shown on the public roster."""
        return Batch.objects.published().filter(pk=self.pk).exists()

    @classmethod
    def publish_permission(cls):
        return Person.publish_permission()

    def order_key(self):
        return -self.number

    @property
    def years(self):
        """ "2020—2022年", "2020年", or "" when the start is unknown."""
        start = self.start and self.start[0].year
        end = self.end and self.end[1].year
        if start and end and start != end:
            return f"{start}—{end}年"
        return f"{start}年" if start else ""


class TermQuerySet(models.QuerySet):
    def published(self):
        """Terms the public roster shows: with a public person (a term only
        hidden people have, or none yet, is not shown)."""
        public = Assignment.objects.published()
        return self.filter(Exists(public.filter(term=OuterRef("pk"))))


class Term(Content, Period):
    """A term of a batch (首期, 二期 …): its people came and went together.
    Its start and end are the dates of its assignments that have none of
    their own; unknown ones are the batch's."""

    batch = models.ForeignKey(
        Batch, verbose_name=_("批次"), on_delete=models.CASCADE, related_name="terms"
    )
    name = models.CharField(_("期"), max_length=20, help_text=_("例如：首期、二期。"))

    history = HistoricalRecords()
    objects = TermQuerySet.as_manager()

    class Meta:
        ordering = ["batch", "id"]
        verbose_name = _("期")
        verbose_name_plural = _("期")
        constraints = [
            models.UniqueConstraint(
                fields=["batch", "name"],
                name="term_unique_batch_name",
                violation_error_message=_("该批次已有同名的期。"),
            ),
            models.CheckConstraint(
                condition=~Q(name=""),
                name="term_name_not_blank",
                violation_error_message=_("期的名称不能为空。"),
            ),
            *period_constraints("term"),
        ]

    def __str__(self):
        return self.name

    @property
    def full_label(self):
        """The name with its batch's, "第十批首期": names repeat from batch to
        batch."""
        return f"{self.batch.label}{self.name}"


class PersonQuerySet(models.QuerySet):
    def published(self):
        """People the public may see."""
        return self.filter(is_public=True)

    def for_detail(self):
        """With the assignments a person's page lists, newest batch first."""
        return self.prefetch_related(
            Prefetch(
                "assignments",
                queryset=Assignment.objects.select_related(
                    "batch", "term", "sending_unit", "receiving_unit"
                ).order_by("-batch__number", "id"),
            )
        )

    def search(self, query):
        """People whose name, pinyin or initials contain the query, or whose
        assignment's units (or their aliases) or position do; with a batch
        word ("第十批"), people of that batch; none for an empty query."""
        batch, key = batch_and_key(query)
        assigned = Assignment.objects.search(query).order_by().values("person_id")
        if batch is not None:
            return self.filter(pk__in=assigned)
        if not key:
            return self.none()
        if has_common_term(assigned):
            # A common term (a unit word in a tenth of the assignments): people
            # tested one by one in their order (their name, then whether an
            # assignment of theirs holds it) fill a page and the capped count
            # within a few thousand people; the UNION would first read the
            # term's hundred thousand assignments.
            return self.filter(
                Q(search_text__scan=key)
                | Exists(
                    walking_the_order(
                        Assignment.objects.search(query).filter(person=OuterRef("pk"))
                    )
                )
            )
        # A UNION of the two index searches: an OR of them would scan people.
        named = Person.objects.filter(search_text__substring=key)
        return self.filter(pk__in=named.order_by().values("pk").union(assigned))


class Person(OrderKeySource, Workflow, CanonicalName, Content, PublicState, Searchable):
    Status = PublishStatus

    name = models.CharField(
        _("姓名"),
        max_length=50,
        help_text=_(
            "按公开发布的写法填写；两字姓名中间的排版空格（如“季 成”）保存时自动去掉，"
            "间隔号统一为“·”。检索时有无空格都能找到。"
        ),
    )
    name_key = models.CharField(max_length=50, db_index=True, editable=False)
    # Every reading of the surname is kept, so these outgrow the name itself.
    pinyin = models.TextField(_("拼音"), editable=False)
    initials = models.TextField(_("拼音首字母"), editable=False)
    category = models.CharField(
        _("类别"), max_length=10, choices=Category.choices, default=Category.OTHER
    )
    bio = models.TextField(_("简介"), blank=True)
    photo = PictureField(_("照片"), blank=True)
    photo_alt = models.CharField(_("照片替代文字"), max_length=200, blank=True)
    # A person on the roster is public when published (most come from press
    # releases already public); an editor's additions start as drafts.
    status = status_field(default=PublishStatus.PUBLISHED)
    # Kept from the status by save(): the roster's queries and indexes read it.
    is_public = models.BooleanField(_("公开"), default=True, editable=False)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("修改时间"), auto_now=True)

    history = SearchableHistory()
    objects = PersonQuerySet.as_manager()

    public_state_fields = ("status",)
    derived_fields = ("name_key", "pinyin", "initials")
    order_source = "pinyin"
    order_key_field = "name_order"

    class Meta:
        ordering = ["name_key", "id"]
        verbose_name = _("援疆人员")
        verbose_name_plural = _("援疆人员")
        permissions = [("publish_person", _("可以公开、隐藏人员及修改已公开人员"))]
        # The media gate finds a picture's owner by its file name.
        indexes = [models.Index(fields=["photo"], name="person_photo_idx")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(name_key=""),
                name="person_name_not_blank",
                violation_error_message=_("姓名不能为空。"),
            ),
            # is_public is the status, kept where the roster's queries read it.
            models.CheckConstraint(
                condition=Q(is_public=True, status=PublishStatus.PUBLISHED)
                | (Q(is_public=False) & ~Q(status=PublishStatus.PUBLISHED)),
                name="person_public_when_published",
            ),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        self.is_public = self.status == PublishStatus.PUBLISHED
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "is_public"}
        super().save(*args, **kwargs)

    def derive(self):
        self.name_key = normalize(self.name)
        full, initials = name_pinyin(self.name)
        self.pinyin = " ".join(full)
        self.initials = " ".join(initials)
        super().derive()

    def search_parts(self):
        return [self.name_key, self.pinyin, self.initials]

    def order_key(self):
        return self.pinyin

    def get_absolute_url(self):
        return reverse("personnel:detail", kwargs={"pk": self.pk})

    @property
    def is_live(self):
        """On the public roster."""
        return self.status == PublishStatus.PUBLISHED

    @property
    def is_archived(self):
        return self.status == PublishStatus.ARCHIVED

    def take_down(self):
        self.status = PublishStatus.DRAFT


def _dated() -> Q:
    """Any date, the row's own or inherited. Needs ``with_dates()``."""
    return Q(arrival_earliest__isnull=False) | Q(departure_latest__isnull=False)


UNIT_FACETS = ("receiving_unit", "sending_unit")
# What a sampled facet count fetches of each row (AssignmentQuerySet.facets).
FETCHED_FOR_FACETS = (
    "batch__number",
    "batch__label",
    "person__category",
    *(column for unit in UNIT_FACETS for column in (f"{unit}_id", f"{unit}__name")),
    *(f"{unit}_hint" for unit in UNIT_FACETS),
    "post_status",
    "dated",
)


POST = ("post_status", "dated")


def _fetched_for_facets(rows, day, sample):
    """The first ``sample`` of ``rows`` (a common term tested row by row),
    with what each facet counts of them."""
    if has_common_term(rows):
        rows = walking_the_order(rows)
    rows = rows.order_by().with_post_status(day).dated_flag()
    rows = rows.annotate(
        **{f"{unit}_hint": _other_names_of(unit) for unit in UNIT_FACETS}
    )
    return list(rows.values(*FETCHED_FOR_FACETS)[:sample])


def _facets(rows, post, dated, *, top, units, hints):
    """The roster's facets, counting ``rows``, the 在岗 one ``post`` (and
    ``dated``, those with any date): querysets, or tests of fetched rows."""
    return {
        "batch": Facet(
            rows,
            "batch__number",
            label="batch__label",
            number=True,
            order=lambda row: -row["value"],
        ),
        "category": Facet(rows, "person__category", choices=Category.choices),
        **{
            unit: Facet(
                rows,
                f"{unit}_id",
                label=f"{unit}__name",
                top=top,
                hint=hints[unit],
                limit=units,
                number=True,
            )
            for unit in UNIT_FACETS
        },
        "post_status": Facet(post, "post_status"),
        "dated": Facet(dated),
    }


def _other_names_of(unit: str):
    """The short name and aliases of the ``unit`` of a row, as one text."""
    return Concat(f"{unit}__short_name", Value("、"), f"{unit}__aliases")


class PostStatus(models.TextChoices):
    """Where an assignment stood on a day, as far as its dates tell."""

    IN_POST = "in_post", _("在岗")
    LEFT = "left", _("已离岗")
    NOT_YET = "not_yet", _("尚未到岗")
    UNKNOWN = "unknown", _("日期不详")


def _in_post(day: date) -> Q:
    """Known to have arrived by ``day`` and not to have left before it. With
    no end anywhere, only a row's own arrival date says it is still in post
    (staff leave 离岗日期 blank for that); a term's or batch's start alone
    does not. Needs ``with_dates()``."""
    return Q(arrival_latest__lte=day) & (
        Q(departure_earliest__gte=day)
        | Q(departure_earliest__isnull=True, arrived_on__isnull=False)
    )


@dataclass(frozen=True)
class PostCounts:
    """The 在岗 facet: of the rows it counts, how many were in post on
    ``day``, had left, had not yet arrived, or have dates that cannot tell
    (日期不详); they add up to ``total``. ``dated``: how many have any date
    at all (none: the facet has nothing to say)."""

    day: date
    in_post: int
    left: int
    not_yet: int
    unknown: int
    dated: int

    @property
    def total(self):
        return self.in_post + self.left + self.not_yet + self.unknown

    @property
    def is_today(self):
        return self.day == timezone.localdate()


# What a search reads and a page never shows.
SEARCH_COLUMNS = ("search_text", "search_grams")


class AssignmentQuerySet(models.QuerySet):
    def published(self):
        return self.filter(person__is_public=True)

    def for_listing(self):
        """With what a list shows, without the search texts and keys (a
        sort of thousands of matches carries every column it fetches)."""
        return self.select_related(
            "person", "batch", "term", "sending_unit", "receiving_unit"
        ).defer(*SEARCH_COLUMNS, *(f"person__{column}" for column in SEARCH_COLUMNS))

    def for_count(self, *, searching: bool):
        """These rows as the capped count reads them: a common term (every
        key of it in a large share of the rows, as the grams index's
        statistics say: ``has_common_term``) tested row by row, which stops
        at the cap within a few thousand rows, where the grams index would
        read the keys' lists of over a hundred thousand rows first."""
        return walking_the_order(self) if searching and has_common_term(self) else self

    def for_page(self, *, count: int, searching: bool):
        """These rows, in their order, as a page of the roster reads them:
        the access path chosen by what is known before the page's query
        (``count``, counted first, and the statistics), not by the planner's
        estimate of the matches.

        A common term with more matches than LIST_COUNT_CAP walks the order's
        index (every roster order has one) and tests each row: a page is full
        within a few thousand rows. Any other term fetches its matches from
        the grams index and sorts them, at any depth: walking would read most
        of the table when the matches are few, or bunched in the order (王 in
        the order of names)."""
        if not searching:
            return self
        if count > settings.LIST_COUNT_CAP and has_common_term(self):
            return walking_the_order(self)
        return sorted_matches(self)

    def with_dates(self):
        """These rows with the spans of their arrival and departure (the
        first and last day each may be): their own dates, else their term's,
        else their batch's; NULL where none is known."""
        return self.alias(
            arrival_earliest=Coalesce(
                "arrived_on", "term__start_earliest", "batch__start_earliest"
            ),
            arrival_latest=Coalesce(
                "arrived_on", "term__start_latest", "batch__start_latest"
            ),
            departure_earliest=Coalesce(
                "left_on", "term__end_earliest", "batch__end_earliest"
            ),
            departure_latest=Coalesce(
                "left_on", "term__end_latest", "batch__end_latest"
            ),
        )

    def with_post_status(self, day: date):
        """These rows with ``post_status``, a PostStatus on ``day``."""
        return self.with_dates().annotate(
            post_status=Case(
                When(departure_latest__lt=day, then=Value(PostStatus.LEFT)),
                When(arrival_earliest__gt=day, then=Value(PostStatus.NOT_YET)),
                When(_in_post(day), then=Value(PostStatus.IN_POST)),
                default=Value(PostStatus.UNKNOWN),
                output_field=CharField(),
            )
        )

    def in_post_on(self, day: date):
        """Rows in post on ``day``. A row whose dates cannot tell is not."""
        return self.with_dates().filter(_in_post(day))

    def dated(self):
        """Rows with any date, their own or inherited."""
        return self.with_dates().filter(_dated())

    def dated_flag(self):
        """These rows with ``dated``: whether they have any date."""
        return self.with_dates().annotate(
            dated=ExpressionWrapper(_dated(), output_field=BooleanField())
        )

    def of_batch(self, number: int):
        """Rows of the batch numbered ``number``, by the assignment's own copy
        of it: a range of the batch order's index (a common term walks
        it from the batch's first row)."""
        return self.filter(batch_order=-number)

    def search(self, query):
        """Rows whose name, pinyin, initials, units (or their aliases) or
        position contain the query; a batch word in it ("第十批", "十批",
        "10批") narrows them to that batch."""
        batch, key = batch_and_key(query)
        rows = self if batch is None else self.of_batch(batch)
        return rows.filter(search_text__substring=key) if key else rows

    def facets(self, *, top=10, units=None, sample=None, day=None, post_rows=None):
        """Counts of the rows by batch, category, receiving and sending unit,
        and of ``post_rows`` (default: these rows; these rows are those of
        them in post on the day) by where they stood on ``day`` (default:
        today): one query. With ``sample``, over the first ``sample`` rows
        only (of these rows, and of ``post_rows`` for the 在岗 facet), fetched
        in one query each and counted here (the search runs once, not once
        per facet): a bounded cost on huge results. A unit facet has its
        ``top`` units in view and the others behind 更多, at most ``units``
        in all (the rest are counted as left out)."""
        day = day or timezone.localdate()
        post = self if post_rows is None else post_rows
        if sample is None:
            counts = facet_counts(
                _facets(
                    self,
                    post.with_post_status(day),
                    post.dated(),
                    top=top,
                    units=units,
                    hints={unit: _other_names_of(unit) for unit in UNIT_FACETS},
                )
            )
        else:
            facets = _facets(
                lambda row: True,
                lambda row: True,
                lambda row: row["dated"],
                top=top,
                units=units,
                hints={unit: f"{unit}_hint" for unit in UNIT_FACETS},
            )
            rows = _fetched_for_facets(self, day, sample)
            counts = {
                **fetched_facet_counts(
                    {name: facets[name] for name in facets if name not in POST},
                    rows,
                ),
                **fetched_facet_counts(
                    {name: facets[name] for name in POST},
                    rows
                    if post_rows is None
                    else _fetched_for_facets(post_rows, day, sample),
                ),
            }
        for facet in UNIT_FACETS:
            for row in counts[facet]:
                unit = Unit(name=row["label"], aliases=row["hint"])
                row["hint"] = "、".join(unit.other_names)
        statuses = {row["value"]: row["count"] for row in counts.pop("post_status")}
        dated = counts.pop("dated")
        return {
            **counts,
            "in_post": PostCounts(
                day=day,
                in_post=statuses.get(PostStatus.IN_POST, 0),
                left=statuses.get(PostStatus.LEFT, 0),
                not_yet=statuses.get(PostStatus.NOT_YET, 0),
                unknown=statuses.get(PostStatus.UNKNOWN, 0),
                dated=dated[0]["count"] if dated else 0,
            ),
        }


class Assignment(Content, Guarded, Searchable):
    person = models.ForeignKey(
        Person,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    batch = models.ForeignKey(
        Batch,
        verbose_name=_("批次"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    term = models.ForeignKey(
        Term,
        verbose_name=_("期"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="assignments",
        help_text=_("须属于所选批次。"),
    )
    sending_unit = models.ForeignKey(
        Unit,
        verbose_name=_("派出单位"),
        on_delete=models.PROTECT,
        related_name="sent_assignments",
    )
    receiving_unit = models.ForeignKey(
        Unit,
        verbose_name=_("对口支援单位"),
        on_delete=models.PROTECT,
        related_name="received_assignments",
    )
    position = models.CharField(
        _("对口支援单位职务"), max_length=200, blank=True, help_text=_("例如：副院长。")
    )
    arrived_on = models.DateField(
        _("到岗日期"),
        null=True,
        blank=True,
        help_text=_("留空则按所在期（或批次）的开始日期。"),
    )
    left_on = models.DateField(
        _("离岗日期"),
        null=True,
        blank=True,
        help_text=_(
            "留空则按所在期（或批次）的结束日期；都没有时，填了到岗日期即表示仍在岗，"
            "否则在岗统计中计为“日期不详”。"
        ),
    )

    # The roster's orders read these copies of the person's pinyin and the
    # batch's number, negated so that the newest batch sorts first (derived,
    # like the search text): an index of this table serves each order, in
    # one direction, so a common term walks it and a page seeks in it.
    name_order = models.TextField(editable=False, default="")
    batch_order = models.SmallIntegerField(editable=False, default=0)

    history = SearchableHistory()
    objects = AssignmentQuerySet.as_manager()

    derived_fields = ("name_order", "batch_order")
    search_related = ("person", "batch", "sending_unit", "receiving_unit")

    class Meta:
        ordering = ["id"]
        # One per roster order (personnel.filters.SORT_ORDERS).
        indexes = [
            models.Index(
                fields=["receiving_unit", "id"], name="assignment_unit_order_idx"
            ),
            models.Index(fields=["name_order", "id"], name="assignment_name_order_idx"),
            models.Index(
                fields=["batch_order", "receiving_unit", "id"],
                name="assignment_batch_order_idx",
            ),
        ]
        verbose_name = _("援疆任职")
        verbose_name_plural = _("援疆任职")
        constraints = [
            models.UniqueConstraint(
                fields=["person", "batch", "receiving_unit"],
                name="assignment_unique_person_batch_unit",
                violation_error_message=_("此人在该批次已有同一受援单位的任职。"),
            ),
            in_order(
                "arrived_on",
                "left_on",
                name="assignment_left_after_arrived",
                message=_("离岗日期不能早于到岗日期。"),
            ),
        ]

    def __str__(self):
        return f"{self.person} · {self.receiving_unit} · {self.batch}"

    def derive(self):
        self.name_order = self.person.pinyin
        self.batch_order = -self.batch.number
        super().derive()

    def search_parts(self):
        person = self.person
        return [
            person.name_key,
            person.pinyin,
            person.initials,
            self.sending_unit.search_text,
            self.receiving_unit.search_text,
            normalize(self.position),
        ]

    @property
    def is_live(self):
        """On the public roster: its person is."""
        return self.person.is_public

    @classmethod
    def publish_permission(cls):
        return Person.publish_permission()

    def clean(self):
        super().clean()
        if self.term_id and self.batch_id and self.term.batch_id != self.batch_id:
            raise ValidationError(
                {
                    "term": _("“%(term)s”不是所选批次的期。")
                    % {"term": self.term.full_label}
                }
            )

    @property
    def arrival(self) -> Span | None:
        """When the assignment began, as far as known: its own date, else its
        term's start, else its batch's (as ``with_dates()`` in queries)."""
        if self.arrived_on:
            return self.arrived_on, self.arrived_on
        return self._inherited("start")

    @property
    def departure(self) -> Span | None:
        """When it ended: its own date, else its term's end, else its batch's."""
        if self.left_on:
            return self.left_on, self.left_on
        return self._inherited("end")

    def _inherited(self, end: str) -> Span | None:
        periods = (self.term, self.batch) if self.term_id else (self.batch,)
        return next((span for p in periods if (span := getattr(p, end))), None)

    @property
    def period(self):
        """When the assignment ran, as pages show it: "2020年3月 至 2021年6月28日";
        "至 今" when its own arrival date is set and no end is known anywhere
        (as ``in_post_on()`` counts it); "—" for what is unknown."""
        start = partial_date_text(self.arrival) or "—"
        end = partial_date_text(self.departure) or ("今" if self.arrived_on else "—")
        return f"{start} 至 {end}"


class ImportJob(models.Model):
    """A roster upload too long for one request, checked and then written by
    a background task (``personnel.jobs``): its owner watches it, leaves and
    comes back, and confirms the write after the check. All or nothing."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("检查中")
        CHECKED = "checked", _("检查通过，待确认导入")
        WRITING = "writing", _("导入中")
        DONE = "done", _("已导入")
        REJECTED = "rejected", _("有错误，未导入")
        FAILED = "failed", _("任务出错，未导入")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="import_jobs",
        verbose_name=_("发起人"),
    )
    original_name = models.CharField(_("文件名"), max_length=255)
    stored_name = models.CharField(_("暂存文件"), max_length=255)
    options = models.JSONField(_("导入选项"), default=dict)
    status = models.CharField(
        _("状态"), max_length=10, choices=Status.choices, default=Status.CHECKING
    )
    rows = models.PositiveIntegerField(_("行数"), default=0)
    errors = models.JSONField(_("错误"), default=list)
    report = models.TextField(_("结果"), blank=True)
    task_id = models.CharField(_("后台任务"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("名单导入任务")
        verbose_name_plural = _("名单导入任务")

    def __str__(self):
        return f"{self.original_name}（{self.get_status_display()}）"

    @property
    def is_running(self):
        return self.status in (self.Status.CHECKING, self.Status.WRITING)
