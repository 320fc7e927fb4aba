"""Facet counts for list pages: how many rows each filter value would leave.

All the facets of a page come from one query: a UNION ALL of one grouped
SELECT per facet, so a list page costs the same number of queries however
many facets it shows. A long facet keeps every value: the first few are in
view, the others behind 更多.
"""

from collections import Counter
from dataclasses import dataclass

from django.db.models import CharField, Count, Expression, F, Value
from django.db.models.functions import Cast


@dataclass(frozen=True)
class Facet:
    """One facet: ``rows`` grouped by the column ``value``.

    The label comes from another column (``label``), from ``choices``, or is
    the value itself; ``hint``, another column or an expression, says more
    about a value (a unit's aliases, for a tooltip). Largest first unless
    ``order`` (a key function of a row) says otherwise; the first ``top``
    rows in view, the others behind 更多; at most ``limit`` rows in all.
    ``number`` turns the value, which the union carries as text, back into
    an integer.
    """

    rows: object
    value: str | None = None
    label: str | None = None
    hint: str | Expression | None = None
    choices: tuple = ()
    order: object = None
    top: int | None = None
    limit: int | None = None
    number: bool = False


class FacetRows(list):
    """The rows of one facet, in order: ``shown`` in view, ``more`` behind
    更多, and how many values were ``left_out`` past the facet's limit."""

    def __init__(self, rows, *, top=None, left_out=0):
        super().__init__(rows)
        self.top = top
        self.left_out = left_out

    @property
    def shown(self):
        return self[: self.top] if self.top else list(self)

    @property
    def more(self):
        return self[self.top :] if self.top else []


def _as_text(column):
    """A column (or an expression) as text: the union carries every facet's
    values in the same columns."""
    if not column:
        return Value("")
    return Cast(F(column) if isinstance(column, str) else column, CharField())


def _grouped(name, facet, totals):
    return (
        facet.rows.order_by()
        .annotate(
            facet=Value(name),
            facet_value=_as_text(facet.value),
            facet_label=_as_text(facet.label),
            facet_hint=_as_text(facet.hint),
        )
        .values("facet", "facet_value", "facet_label", "facet_hint")
        .annotate(count=Count("pk"), **totals)
        .values("facet", "facet_value", "facet_label", "facet_hint", "count", *totals)
    )


def facet_counts(facets: dict[str, Facet], **totals) -> dict[str, FacetRows]:
    """{name: FacetRows of {"value", "label", "count", *totals}} (and "hint"
    where the facet has one) of the ``facets`` ({name: Facet}), in one query,
    with the aggregates ``totals`` of each group besides its count. A facet
    without a ``value`` is a single row over all of its rows (a total)."""
    first, *rest = (_grouped(name, facet, totals) for name, facet in facets.items())
    return _shaped(facets, first.union(*rest, all=True))


def fetched_facet_counts(facets: dict[str, Facet], fetched: list[dict]):
    """What ``facet_counts`` gives, counted here over rows fetched already
    (a bounded sample, in one query however many facets): a facet's
    ``rows`` is a test of a fetched row (whether the facet counts it), its
    ``value``, ``label`` and ``hint`` are keys of the row."""
    groups = Counter(
        (
            name,
            _key(row, facet.value),
            _key(row, facet.label),
            _key(row, facet.hint),
        )
        for row in fetched
        for name, facet in facets.items()
        if facet.rows(row)
    )
    return _shaped(
        facets,
        (
            {
                "facet": name,
                "facet_value": value,
                "facet_label": label,
                "facet_hint": hint,
                "count": count,
            }
            for (name, value, label, hint), count in groups.items()
        ),
    )


def _key(row, name):
    """The value of a fetched row's key, as the union would carry it: text."""
    if not name:
        return ""
    value = row[name]
    return value if value is None else str(value)


def _shaped(facets, grouped) -> dict[str, FacetRows]:
    results = {name: [] for name in facets}
    labels = {name: dict(facet.choices) for name, facet in facets.items()}
    for row in grouped:
        name = row.pop("facet")
        facet = facets[name]
        value, label = row.pop("facet_value"), row.pop("facet_label")
        hint = row.pop("facet_hint")
        if facet.hint:
            row["hint"] = hint or ""
        if facet.number and value is not None:
            value = int(value)
        row["value"] = value
        row["label"] = label if facet.label else labels[name].get(value, value)
        results[name].append(row)
    for name, facet in facets.items():
        rows = sorted(results[name], key=facet.order or _largest_first)
        kept = rows[: facet.limit] if facet.limit else rows
        results[name] = FacetRows(kept, top=facet.top, left_out=len(rows) - len(kept))
    return results


def _largest_first(row):
    value = row["value"]
    return -row["count"], value is None, value if value is not None else 0
