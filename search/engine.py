"""Matching a visitor's words against rows, with the database's own full-text search.

A search reads documents: some text columns of a row, for the rows a
condition selects (Document). Comments have two: the text outside their
spoilers (Comment.text_outside_spoilers), which anyone's search reads, of
comments that are not spoilers as a whole; and the whole body, which only
its author's search reads (search.results). A row matches when one of the
documents that reads it holds every word.

PostgreSQL: each comment document is a stored generated tsvector column
(search/migrations): `to_tsvector('english', ...)`: English words stemmed,
Korean ones kept whole (PostgreSQL has no Korean dictionary), searched with
every word as a prefix so that 좀비 finds 좀비가. The public one has a GIN
index, and a pg_trgm GIN index on its text for the words full text misses:
typos ("zombei") and Korean words inside longer ones. The trigram match
joins in only when full text finds fewer than FEW rows, since a trigram scan
costs more than a full-text one. An author's own comments are few and are
read through the author's index. Fears and news are a few dozen rows,
searched over both languages' columns without an index of their own.

SQLite: an FTS5 table per document, kept in step by triggers, with the
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
from dataclasses import dataclass

from django.contrib.postgres.lookups import TrigramWordSimilar
from django.contrib.postgres.search import (
    SearchQuery,
    SearchRank,
    SearchVector,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.db import connections, models
from django.db.models import Case, F, Q, Value, When
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, Greatest

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
# The documents PostgreSQL keeps as a stored tsvector column: (table, its columns)
# -> the column (search/migrations).
STORED_DOCUMENTS = {
    ("discussions_comment", ("body",)): "search_document",
    ("discussions_comment", ("text_outside_spoilers",)): "search_public_document",
}
# The trigram tokenizer came in SQLite 3.34; before it, words and prefixes only.
SQLITE_TRIGRAM = sqlite3.sqlite_version_info >= (3, 34)

# Each document's FTS5 table on SQLite: its name -> (the table, the text columns it holds).
FTS_TABLES = {
    "search_comment_fts": ("discussions_comment", ("body",)),
    "search_comment_public_fts": ("discussions_comment", ("text_outside_spoilers",)),
    "search_concern_fts": (
        "discussions_concern",
        ("title_en", "title_ko", "description_en", "description_ko"),
    ),
    "search_update_fts": (
        "news_seasonupdate",
        ("title_en", "title_ko", "summary_en", "summary_ko"),
    ),
    "search_update_title_fts": ("news_seasonupdate", ("title_en", "title_ko")),
}


@dataclass(frozen=True)
class Document:
    """What a search reads of a row: these text columns, of the rows `where` selects (of
    every row when it is None)."""

    fields: tuple
    where: Q | None = None


def words(text):
    """The distinct words of text, lower-cased, at most MAX_WORDS of them."""
    found = []
    for word in WORD.findall(text.lower()):
        word = word[:MAX_WORD_LENGTH]
        if word not in found:
            found.append(word)
    return found[:MAX_WORDS]


def matching(queryset, documents, terms, *, newest, relevance):
    """(the rows of queryset that a document holding every word of terms reads, ordered; how many).

    `newest` is the order_by() for the newest first; with `relevance`, the
    best match comes first (newest first among equals).
    """
    if not terms:
        return queryset.none(), 0
    vendor = connections[queryset.db].vendor
    if vendor == "postgresql":
        return _postgresql(queryset, documents, terms, newest, relevance)
    if vendor == "sqlite":
        return _sqlite(queryset, documents, terms, newest, relevance)
    # Any other database: a plain containment test, for completeness.
    found = queryset.filter(_any_document(documents, lambda _n, doc: _containing(doc, terms)))
    found = found.order_by(*newest)
    return found, counted(found)


def counted(queryset):
    """How many rows, up to MAX_COUNT + 1 (past MAX_COUNT the page says "1000+")."""
    return queryset.order_by()[: MAX_COUNT + 1].count()


def _any_document(documents, match):
    """The rows some document matches: match(n, document), among the rows it reads."""
    found = Q()
    for n, document in enumerate(documents):
        matched = match(n, document)
        found |= matched if document.where is None else document.where & matched
    return found


def _per_row(documents, values, combine):
    """Each row's value, from the documents that read it: combine() of theirs, NULL elsewhere."""
    values = [
        value if document.where is None else Case(When(document.where, then=value))
        for document, value in zip(documents, values, strict=True)
    ]
    return values[0] if len(values) == 1 else combine(*values)


def _containing(document, terms):
    wanted = Q()
    for term in terms:
        wanted &= Q.create(
            [(f"{field}__icontains", term) for field in document.fields], connector=Q.OR
        )
    return wanted


# --- PostgreSQL ------------------------------------------------------------------------------


class StoredDocument(models.Expression):
    """A column the model does not name (a stored document), of the query's own table.

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
    """The document's vector: the stored column where there is one, else made from the fields."""
    stored = STORED_DOCUMENTS.get((queryset.model._meta.db_table, tuple(fields)))
    if stored:
        return StoredDocument(stored)
    return SearchVector(*fields, config=CONFIG)


def full_text_query(terms):
    # Each word is only \w characters, quoted as a lexeme: no tsquery syntax gets in.
    return SearchQuery(
        " & ".join(f"'{term}':*" for term in terms), search_type="raw", config=CONFIG
    )


def _similar(document, terms):
    """Every term like a word of one of the document's fields (pg_trgm's `%>`)."""
    similar = Q()
    for term in terms:
        similar &= Q.create(
            [TrigramWordSimilar(F(field), Value(term)) for field in document.fields],
            connector=Q.OR,
        )
    return similar


def _postgresql(queryset, documents, terms, newest, relevance):
    query = full_text_query(terms)
    vectors = [full_text_vector(queryset, document.fields) for document in documents]
    searched = queryset.alias(**{f"document_{n}": vector for n, vector in enumerate(vectors)})
    full_text = _any_document(documents, lambda n, _doc: Q(**{f"document_{n}": query}))
    found = searched.filter(full_text)
    ranks = [SearchRank(vector, query) for vector in vectors]
    count = counted(found)
    if count < FEW:
        _set_typo_similarity(queryset.db)
        found = searched.filter(
            full_text | _any_document(documents, lambda _n, doc: _similar(doc, terms))
        )
        phrase = " ".join(terms)
        ranks = [
            rank
            + sum(
                (Coalesce(TrigramWordSimilarity(phrase, field), 0.0) for field in document.fields),
                start=Value(0.0),
            )
            for rank, document in zip(ranks, documents, strict=True)
        ]
        count = counted(found)
    if not relevance:
        return found.order_by(*newest), count
    if count > MAX_COUNT:
        # Ranking every row that holds a common word costs seconds at 100,000
        # comments: the best match is looked for among the newest MAX_COUNT.
        found = found.filter(pk__in=found.order_by(*newest).values("pk")[:MAX_COUNT])
    # A row two documents read ranks by the one it matches better (GREATEST skips NULLs).
    rank = _per_row(documents, ranks, Greatest)
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


def fts_table(queryset, fields):
    """The FTS5 table that holds these fields of the queryset's rows."""
    wanted = (queryset.model._meta.db_table, tuple(fields))
    return next(fts for fts, document in FTS_TABLES.items() if document == wanted)


def _sqlite(queryset, documents, terms, newest, relevance):
    if SQLITE_TRIGRAM:
        # Trigrams need 3 characters; shorter words are looked for with LIKE,
        # which the trigram table answers too (by reading it through).
        matched = [term for term in terms if len(term) >= 3]
        scanned = [term for term in terms if len(term) < 3]
        expression = " AND ".join(fts_string(term) for term in matched)
    else:
        matched, scanned = terms, []
        expression = " AND ".join(fts_string(term) + "*" for term in terms)
    tables = [fts_table(queryset, document.fields) for document in documents]

    def match(n, _document):
        fts = tables[n]
        conditions, params = [], []
        if matched:
            conditions.append(f"{fts} MATCH %s")
            params.append(expression)
        for term in scanned:
            conditions.append(f"{fts}.text LIKE %s ESCAPE '\\'")
            params.append(like_pattern(term))
        where = " AND ".join(conditions)
        return Q(pk__in=RawSQL(f"SELECT rowid FROM {fts} WHERE {where}", params))

    found = queryset.filter(_any_document(documents, match))
    count = counted(found)
    if not relevance or not matched:
        return found.order_by(*newest), count
    if count > MAX_COUNT:
        # As on PostgreSQL: the best of the newest MAX_COUNT.
        found = found.filter(pk__in=found.order_by(*newest).values("pk")[:MAX_COUNT])
    # FTS5's rank (bm25, lower is better) of every match, worked out once: SQLite
    # materialises a subquery with a window function instead of running it per row.
    table = queryset.model._meta.db_table
    scores = [
        RawSQL(
            f"SELECT ranked.score FROM (SELECT rowid AS id, rank AS score, "
            f"row_number() OVER () AS n FROM {fts} WHERE {fts} MATCH %s) AS ranked "
            f'WHERE ranked.id = "{table}"."id"',
            [expression],
            output_field=models.FloatField(),
        )
        for fts in tables
    ]
    # A row two documents read ranks by the first that matches it (NULL where none does).
    rank = _per_row(documents, scores, Coalesce)
    return found.alias(rank=rank).order_by("rank", *newest), count
