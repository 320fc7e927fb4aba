"""Search: normalised texts, their index keys, and ``text__substring=key``.

A searchable model (``Searchable``) declares the texts it is found by
(``search_parts()``); one function derives the search text and its keys
(``search_document()``), for save(), the importer, seed_bulk, migrations and
``manage.py rebuild_search`` alike.

``__substring`` is an exact substring search that an index can serve.
Django's ``__contains`` is LIKE (wildcards to escape, and very long patterns
fail on SQLite) and ``__icontains`` wraps the column in UPPER(), which no
index can serve. Texts searched this way are normalised
(aidportal.kernel.chinese) before they are stored and queried, so an exact
match is the right one. On PostgreSQL the lookup first narrows the rows with
a GIN index over the text's unigrams and bigrams (and trigrams of Latin
letters, for pinyin), kept beside it in ``search_grams``, then rechecks with
``strpos``. The keys are plain strings, so the index works in any database
locale. Elsewhere (SQLite, small data) the lookup scans with ``instr``. Both
return the same rows.
"""

import time
from collections.abc import Callable
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.db import connections, models
from django.db.models import F, Lookup, QuerySet, TextField
from django.db.models.functions import Coalesce
from simple_history.models import HistoricalRecords

from aidportal.kernel.chinese import fold_traditional

# Parts of a search text are joined by a character no normalised query holds.
SEARCH_SEPARATOR = "\n"

LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")


def text_grams(text: str) -> str:
    """The index keys of a normalised search text, space-separated: every
    character, every pair of neighbours, and every run of three Latin letters
    (pinyin), never across a part ("\n") or a word (" ")."""
    grams = set()
    for line in text.split("\n"):
        for word in line.split(" "):
            grams.update(word)
            grams.update(word[i : i + 2] for i in range(len(word) - 1))
            grams.update(
                word[i : i + 3]
                for i in range(len(word) - 2)
                if LATIN.issuperset(word[i : i + 3])
            )
    return " ".join(sorted(grams))


def query_grams(key: str) -> list[str]:
    """The keys every text containing ``key`` has: the character itself,
    the query's Latin trigrams (pinyin), or its bigrams."""
    if len(key) == 1:
        return [key]
    if len(key) >= 3 and LATIN.issuperset(key):
        return sorted({key[i : i + 3] for i in range(len(key) - 2)})
    return sorted({key[i : i + 2] for i in range(len(key) - 1)})


def search_document(parts: list[str]) -> tuple[str, str]:
    """(search text, index keys) of normalised parts: the one derivation,
    used by save(), the importer, seed_bulk, migrations and rebuild_search.
    Empty parts are dropped but the first (a title, a name) is kept."""
    first, *rest = parts
    text = SEARCH_SEPARATOR.join([first, *filter(None, rest)])
    # Queries are folded to simplified characters (search_key); a text whose
    # folded form differs (a name with 乾, a quoted traditional title) keeps
    # that form too, so the folded query still finds it.
    folded = fold_traditional(text)
    if folded != text:
        text = SEARCH_SEPARATOR.join([text, folded])
    return text, text_grams(text)


def sorted_matches(queryset: QuerySet) -> QuerySet:
    """``queryset`` in the same order, computed by sorting the rows that match
    rather than by walking an index of the sort order.

    With a search term and a LIMIT, PostgreSQL may walk the sort order's
    index and test each row, which takes seconds when the term is rare and
    its estimate coarse (the grams index keeps statistics of common keys
    only). Ordering by COALESCE(column, column), which no index serves, makes
    it fetch the matches from the grams index and sort them.
    """
    terms = []
    for term in queryset.query.order_by:
        name = term.lstrip("-")
        expression = Coalesce(F(name), F(name))
        terms.append(expression.desc() if term.startswith("-") else expression.asc())
    return queryset.order_by(*terms)


class SearchTextField(TextField):
    """A normalised search text whose index keys are kept in ``search_grams``."""

    grams_column = "search_grams"


class Searchable(models.Model):
    """A row found by substring search: its normalised text and index keys.

    A model declares what is searched in ``search_parts()`` (normalised
    texts, the key one first) and any other field derived from the row in
    ``derive()`` / ``derived_fields``; ``save()`` derives them, and after a
    rule changes ``manage.py rebuild_search`` derives them again for every
    row. ``search_related`` names the related rows ``search_parts()`` reads.
    """

    search_text = SearchTextField(editable=False, default="")
    search_grams = models.TextField(editable=False, default="")

    derived_fields: tuple[str, ...] = ()
    search_related: tuple[str, ...] = ()

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        self.derive()
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], *self.search_fields()}
        super().save(*args, **kwargs)

    def derive(self) -> None:
        """Compute the derived fields and the search text from the row."""
        self.search_text, self.search_grams = search_document(self.search_parts())

    def search_parts(self) -> list[str]:
        raise NotImplementedError

    @classmethod
    def search_fields(cls) -> tuple[str, ...]:
        """Every field ``derive()`` writes."""
        return (*cls.derived_fields, "search_text", "search_grams")


class SearchableHistory(HistoricalRecords):
    """django-simple-history's records of a searchable model, without the
    fields derive() writes (a revert or a restore derives them again):
    history keeps what staff wrote."""

    def get_extra_fields(self, model, fields):
        extra = super().get_extra_fields(model, fields)
        rebuild = extra["instance"].fget

        def instance(record):
            # The row just saved, while its record is written: rebuilding it
            # from the record would read the left-out fields back, one query
            # per many-to-many field.
            return getattr(record, "_saved_instance", None) or rebuild(record)

        extra["instance"] = property(instance)
        return extra

    def create_historical_record_m2ms(self, history_instance, instance):
        history_instance._saved_instance = instance
        super().create_historical_record_m2ms(history_instance, instance)

    def finalize(self, sender, **kwargs):
        if sender is self.cls:
            self.excluded_fields = [*self.excluded_fields, *sender.search_fields()]
        super().finalize(sender, **kwargs)


def searchable_models() -> list[type[Searchable]]:
    """Every searchable model, those that read others' search texts last."""
    found = [m for m in apps.get_models() if issubclass(m, Searchable)]
    return sorted(found, key=lambda model: bool(model.search_related))


def derive_again(
    rows: QuerySet,
    *,
    chunk: int = 2000,
    progress: Callable[[int, int], None] | None = None,
) -> int:
    """Derive the search fields of ``rows`` again, ``chunk`` rows at a time
    (after a rule changes, or a row their text repeats); returns how many."""
    model = rows.model
    total = rows.count() if progress else 0
    rows = rows.select_related(*model.search_related).order_by("pk")
    done, last = 0, None
    while True:
        page = list((rows.filter(pk__gt=last) if last is not None else rows)[:chunk])
        if not page:
            return done
        for row in page:
            row.derive()
        model._default_manager.bulk_update(page, model.search_fields())
        done, last = done + len(page), page[-1].pk
        if progress:
            progress(done, total)
        if len(page) < chunk:
            return done


def add_folded_forms(rows: QuerySet, *, chunk: int = 2000) -> int:
    """Give the search texts of ``rows`` stored before queries were folded to
    simplified characters the folded form ``search_document`` now adds, for a
    data migration: the texts are read, and the few whose folded form differs
    (a 乾 in a name) are rewritten, without deriving any row again. Returns
    how many changed."""
    changed = 0
    texts = rows.order_by().values_list("pk", "search_text").iterator(chunk_size=chunk)
    for pk, text in texts:
        folded = fold_traditional(text)
        if folded == text:
            continue
        text = SEARCH_SEPARATOR.join([text, folded])
        rows.filter(pk=pk).update(search_text=text, search_grams=text_grams(text))
        changed += 1
    return changed


# The share of a table's rows each common key is in, as PostgreSQL's
# statistics of the grams index give it (most_common_elems), per table and
# process: read again after SEARCH_STATISTICS_SECONDS.
_gram_shares: dict[tuple[str, str], tuple[float, dict[str, float]]] = {}
# Longer terms are rarely common, and their keys together narrow the grams
# index well even when each is frequent.
COMMON_TERM_LENGTH = 4


def gram_shares(table: str, connection) -> dict[str, float]:
    """{key: share of the rows of ``table`` holding it} of the keys common
    enough for ANALYZE to count (up to thousands per table); a key not in it
    is rarer than any in it. Empty before the table is analysed."""
    if (connection.alias, table) in _gram_shares:
        read_at, shares = _gram_shares[connection.alias, table]
        if time.monotonic() - read_at < settings.SEARCH_STATISTICS_SECONDS:
            return shares
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT key, share FROM pg_stats, unnest("
            "most_common_elems::text::text[], most_common_elem_freqs) AS s(key, share)"
            " WHERE schemaname = current_schema() AND tablename = %s",
            [f"{table}_grams_idx"],
        )
        shares = dict(cursor.fetchall())
    _gram_shares[connection.alias, table] = (time.monotonic(), shares)
    return shares


def forget_gram_shares() -> None:
    """Read the statistics again at the next search (after an ANALYZE)."""
    _gram_shares.clear()


def is_common(table: str, key: str, connection) -> bool:
    """Whether every index key of ``key`` is in at least
    SEARCH_COMMON_SHARE of the rows of ``table``: a term such as 杭州市,
    whose first page is found sooner by testing rows in order than by
    reading its keys' long lists in the grams index. Terms longer than
    COMMON_TERM_LENGTH never are."""
    grams = query_grams(key) if 0 < len(key) <= COMMON_TERM_LENGTH else []
    if not grams:
        return False
    shares = gram_shares(table, connection)
    rarest = min(shares.get(gram, 0.0) for gram in grams)
    return rarest >= settings.SEARCH_COMMON_SHARE


@SearchTextField.register_lookup
class Substring(Lookup):
    lookup_name = "substring"

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"instr({lhs}, {rhs}) > 0", [*lhs_params, *rhs_params]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        table = compiler.quote_name_unless_alias(self.lhs.alias)
        grams = f"{table}.{connection.ops.quote_name(self.lhs.target.grams_column)}"
        keys = query_grams(self.rhs)
        sql = f"string_to_array({grams}, ' ') @> %s::text[]"
        if keys != [self.rhs]:
            # The query is longer than one key: its keys may stand apart in
            # the text, so check the text itself.
            sql += f" AND strpos({lhs}, {rhs}) > 0"
            return sql, [keys, *lhs_params, *rhs_params]
        return sql, [keys]


@SearchTextField.register_lookup
class Scan(Substring):
    """The same test as ``__substring`` with no index to serve it: see
    ``walking_the_order()``."""

    lookup_name = "scan"

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"strpos({lhs}, {rhs}) > 0", [*lhs_params, *rhs_params]


def walking_the_order(queryset: QuerySet) -> QuerySet:
    """``queryset`` with its substring tests turned into scans, for a common
    term: PostgreSQL then walks the index of the order and tests each row,
    which fills a page of a term one row in ten matches within a few hundred
    rows, where fetching the term's matches from the grams index and sorting
    them reads all of them (and the grams statistics misjudge how many)."""
    clone = queryset.all()
    _scans(clone.query.where)
    return clone


def has_common_term(queryset: QuerySet) -> bool:
    """Whether ``queryset`` searches for a common term (``is_common``)."""
    connection = connections[queryset.db]
    if connection.vendor != "postgresql":
        return False
    table = queryset.model._meta.db_table
    return any(
        is_common(table, lookup.rhs, connection)
        for lookup in _lookups(queryset.query.where)
        if isinstance(lookup, Substring)
        and not isinstance(lookup, Scan)
        and isinstance(lookup.rhs, str)
    )


def _lookups(node):
    for child in node.children:
        if hasattr(child, "children"):
            yield from _lookups(child)
        else:
            yield child


def _scans(node) -> None:
    for index, child in enumerate(node.children):
        if isinstance(child, Substring) and not isinstance(child, Scan):
            node.children[index] = Scan(child.lhs, child.rhs)
        elif hasattr(child, "children"):
            _scans(child)


def gram_indexed_tables() -> list[str]:
    """The tables whose search_grams have a GIN index: every searchable one."""
    return [model._meta.db_table for model in searchable_models()]


def create_gram_indexes(schema_editor_or_cursor, tables: list[str]) -> None:
    for table in tables:
        schema_editor_or_cursor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_grams_idx "
            f"ON {table} USING gin (string_to_array(search_grams, ' '))"
        )
        # Fine-grained statistics of the keys: with the default, a rare name
        # is estimated common and the planner walks the primary key instead.
        schema_editor_or_cursor.execute(
            f"ALTER INDEX {table}_grams_idx ALTER COLUMN 1 SET STATISTICS 3000"
        )


def drop_gram_indexes(schema_editor_or_cursor, tables: list[str]) -> None:
    for table in tables:
        schema_editor_or_cursor.execute(f"DROP INDEX IF EXISTS {table}_grams_idx")


@dataclass(frozen=True)
class SearchProvider:
    """What an app gives the site search: a group of results, its label, the
    search (a query → the queryset of what the public may see that matches),
    and the template of one result (given ``item``)."""

    name: str
    label: str
    search: Callable[[str], QuerySet]
    template: str
