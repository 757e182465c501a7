"""Matching a visitor's words against rows, with the database's own full-text search.

PostgreSQL: the comments' text is indexed twice (search/migrations/0001): a
GIN index on a stored generated column, `search_document`, which is
`to_tsvector('english', body)`: English words stemmed, Korean ones kept
whole (PostgreSQL has no Korean dictionary), searched with every word as a
prefix so that 좀비 finds 좀비가; and a pg_trgm GIN index on
the body, for the words full text misses: typos ("zombei") and Korean words
inside longer ones. The trigram match joins in only when full text finds
fewer than FEW rows, since a trigram scan costs more than a full-text one.
Fears and news are a few dozen rows, searched over both languages' columns
without an index of their own.

SQLite: an FTS5 table per kind of row, kept in step by triggers, with the
trigram tokenizer where SQLite has it (3.34 on), which matches any part of a
word, in any script: prefixes, Korean inside longer words, and (below 3
characters, where trigrams say nothing) a LIKE over the indexed text.

Whatever the visitor typed, only its words (\\w+) reach the database, each
quoted as a string of the engine's syntax or passed as a parameter, never as
query syntax of its own: `col:term`, `NEAR`, `^`, quotes and parentheses are
text to look for, never operators.
"""

import re
import sqlite3

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connections, models
from django.db.models import F, Q, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce

WORD = re.compile(r"\w+")
MAX_WORDS = 8
MAX_WORD_LENGTH = 60
CONFIG = "english"
# Below this many full-text matches, trigram similarity joins in (PostgreSQL).
FEW = 3
# How much of a word must match a word of the text (pg_trgm's word_similarity):
# "zombei" shares 4 of its 7 trigrams with "zombie", 0.57; the default 0.6 misses it.
TYPO_SIMILARITY = 0.5
# Matches are counted up to this many ("1000+"), no page lies beyond them, and
# the best match is the best of the newest this many: counting and ranking every
# row that holds a common word would cost more than the page itself.
MAX_COUNT = 1000
# The tables whose text PostgreSQL keeps as a stored tsvector column (search.index).
STORED_DOCUMENTS = {"discussions_comment": "search_document"}
# The trigram tokenizer came in SQLite 3.34; before it, words and prefixes only.
SQLITE_TRIGRAM = sqlite3.sqlite_version_info >= (3, 34)

# Each kind of row: its FTS5 table on SQLite and the text columns it holds.
FTS_TABLES = {
    "discussions_comment": ("search_comment_fts", ["body"]),
    "discussions_concern": (
        "search_concern_fts",
        ["title_en", "title_ko", "description_en", "description_ko"],
    ),
    "news_seasonupdate": (
        "search_update_fts",
        ["title_en", "title_ko", "summary_en", "summary_ko"],
    ),
}


def words(text):
    """The distinct words of text, lower-cased, at most MAX_WORDS of them."""
    found = []
    for word in WORD.findall(text.lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def matching(queryset, fields, terms, *, newest, relevance):
    """(the rows of queryset whose fields hold every word of terms, ordered; how many).

    `newest` is the order_by() for the newest first; with `relevance`, the
    best match comes first (newest first among equals).
    """
    if not terms:
        return queryset.none(), 0
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _postgresql(queryset, fields, terms, newest, relevance)
    if vendor == "sqlite":
        return _sqlite(queryset, terms, newest, relevance)
    # Any other database: a plain containment test, for completeness.
    wanted = Q()
    for term in terms:
        wanted &= Q.create([(f"{field}__icontains", term) for field in fields], connector=Q.OR)
    found = queryset.filter(wanted).order_by(*newest)
    return found, counted(found)


def counted(queryset):
    """How many rows, up to MAX_COUNT + 1 (past MAX_COUNT the page says "1000+")."""
    return queryset.order_by()[: MAX_COUNT + 1].count()


# --- PostgreSQL ------------------------------------------------------------------------------


class StoredDocument(models.Expression):
    """A column the model does not name (search_document), of the query's own table.

    Read from the compiling query's base alias, so it names the right table
    inside a subquery too.
    """

    output_field = SearchVectorField()

    def __init__(self, column):
        super().__init__()
        self.column = column

    def as_sql(self, compiler, connection):
        table = compiler.quote_name(compiler.query.get_initial_alias())
        return f"{table}.{connection.ops.quote_name(self.column)}", []


def full_text_vector(queryset, fields):
    """The rows' document: the stored column where there is one, else made from the fields."""
    table = queryset.model._meta.db_table
    if table in STORED_DOCUMENTS:
        return StoredDocument(STORED_DOCUMENTS[table])
    return SearchVector(*fields, config=CONFIG)


def full_text_query(terms):
    # Each word is only \w characters, quoted as a lexeme: no tsquery syntax gets in.
    return SearchQuery(
        " & ".join(f"'{term}':*" for term in terms), search_type="raw", config=CONFIG
    )


def _postgresql(queryset, fields, terms, newest, relevance):
    vector, query = full_text_vector(queryset, fields), full_text_query(terms)
    found = queryset.alias(document=vector).filter(document=query)
    rank = SearchRank(vector, query)
    count = counted(found)
    if count < FEW:
        similar_to = Q()
        for term in terms:
            similar_to &= Q.create(
                [TrigramWordSimilar(F(field), Value(term)) for field in fields], connector=Q.OR
            )
        _set_typo_similarity(queryset.db)
        found = queryset.alias(document=vector).filter(Q(document=query) | similar_to)
        phrase = " ".join(terms)
        rank = rank + sum(
            (Coalesce(TrigramWordSimilarity(phrase, field), 0.0) for field in fields),
            start=Value(0.0),
        )
        count = counted(found)
    if not relevance:
        return found.order_by(*newest), count
    if count > MAX_COUNT:
        # Ranking every row that holds a common word costs seconds at 100,000
        # comments: the best match is looked for among the newest MAX_COUNT.
        found = found.filter(pk__in=found.order_by(*newest).values("pk")[:MAX_COUNT])
    return found.alias(rank=rank).order_by("-rank", *newest), count


def _set_typo_similarity(alias):
    """The word_similarity the trigram operator asks for, on the connection that reads."""
    with connections[alias].cursor() as cursor:
        cursor.execute(
            "SELECT set_config('pg_trgm.word_similarity_threshold', %s, false)",
            [str(TYPO_SIMILARITY)],
        )


# --- SQLite ----------------------------------------------------------------------------------


def fts_string(term):
    """term as an FTS5 string: in double quotes, any inside doubled."""
    return '"' + term.replace('"', '""') + '"'


def like_pattern(term):
    return "%" + term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _sqlite(queryset, terms, newest, relevance):
    table = queryset.model._meta.db_table
    fts, _columns = FTS_TABLES[table]
    if SQLITE_TRIGRAM:
        # Trigrams need 3 characters; shorter words are looked for with LIKE,
        # which the trigram table answers too (by reading it through).
        matched = [term for term in terms if len(term) >= 3]
        scanned = [term for term in terms if len(term) < 3]
        expression = " AND ".join(fts_string(term) for term in matched)
    else:
        matched, scanned = terms, []
        expression = " AND ".join(fts_string(term) + "*" for term in terms)
    conditions, params = [], []
    if matched:
        conditions.append(f"{fts} MATCH %s")
        params.append(expression)
    for term in scanned:
        conditions.append(f"{fts}.text LIKE %s ESCAPE '\\'")
        params.append(like_pattern(term))
    where = " AND ".join(conditions)
    found = queryset.filter(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {where}", params))
    count = counted(found)
    if not relevance or not matched:
        return found.order_by(*newest), count
    if count > MAX_COUNT:
        # As on PostgreSQL: the best of the newest MAX_COUNT.
        found = found.filter(pk__in=found.order_by(*newest).values("pk")[:MAX_COUNT])
    # FTS5's rank (bm25, lower is better) of every match, worked out once: SQLite
    # materialises a subquery with a window function instead of running it per row.
    ranked = (
        f"SELECT ranked.score FROM (SELECT rowid AS id, rank AS score, "
        f"row_number() OVER () AS n FROM {fts} WHERE {fts} MATCH %s) AS ranked "
        f'WHERE ranked.id = "{table}"."id"'
    )
    score = RawSQL(ranked, [expression], output_field=models.FloatField())
    return found.alias(rank=score).order_by("rank", *newest), count
