"""Facet counts for list pages: how many rows each filter value would leave."""

from django.db.models import Count


def count_by(queryset, value, *, label=None, choices=None, order=None, limit=None):
    """[{"value", "label", "count"}] of ``queryset`` grouped by ``value``.

    The label comes from another column (``label``), from ``choices``, or is
    the value itself. Largest first unless ``order`` says otherwise.
    """
    columns = [value, label] if label else [value]
    rows = (
        queryset.order_by()
        .values(*columns)
        .annotate(count=Count("pk"))
        .order_by(*(order or ["-count", *columns]))
    )
    labels = dict(choices or ())
    return [
        {
            "value": row[value],
            "label": row[label] if label else labels.get(row[value], row[value]),
            "count": row["count"],
        }
        for row in (rows[:limit] if limit else rows)
    ]
