"""``text__substring=key``: exact substring search that an index can serve.

Django's ``__contains`` is LIKE (wildcards to escape, and very long patterns
fail on SQLite) and ``__icontains`` wraps the column in UPPER(), which no index
can serve. Texts searched this way are normalised (aidportal.kernel.chinese) before
they are stored and queried, so an exact match is the right one.

On PostgreSQL the lookup first narrows the rows with a GIN index over the
text's unigrams and bigrams (and trigrams of Latin letters, for pinyin), kept
beside it in ``search_grams`` (computed in Python on save, and by the importer
and seed_bulk), then rechecks with ``strpos``. The keys are plain strings, so
the index works in any database locale. Elsewhere (SQLite, small data) the
lookup scans with ``instr``. Both return the same rows.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Lookup, QuerySet, TextField

LATIN = frozenset("abcdefghijklmnopqrstuvwxyz")


def text_grams(text):
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


def query_grams(key):
    """The keys every text containing ``key`` has: the character itself,
    the query's Latin trigrams (pinyin), or its bigrams."""
    if len(key) == 1:
        return [key]
    if len(key) >= 3 and LATIN.issuperset(key):
        return sorted({key[i : i + 3] for i in range(len(key) - 2)})
    return sorted({key[i : i + 2] for i in range(len(key) - 1)})


class SearchTextField(TextField):
    """A normalised search text whose index keys are kept in ``search_grams``."""

    grams_column = "search_grams"


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


# The tables whose search_grams have a GIN index (migration aidportal 0002).
GRAM_INDEXED_TABLES = [
    "personnel_assignment",
    "personnel_person",
    "personnel_unit",
    "articles_article",
    "projects_project",
]


def create_gram_indexes(schema_editor_or_cursor, tables=GRAM_INDEXED_TABLES):
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


def drop_gram_indexes(schema_editor_or_cursor, tables=GRAM_INDEXED_TABLES):
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
