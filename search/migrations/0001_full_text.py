import sqlite3

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

# Frozen here as they were made; search.index repairs the SQLite triggers later
# migrations take away when they rebuild a table.
POSTGRESQL_FORWARD = [
    # Stored, not an index on the expression: ranking and rechecking a common word's
    # matches then read each row's document instead of parsing its text again.
    # Django never names the column, so inserts and updates leave it to PostgreSQL.
    "ALTER TABLE discussions_comment ADD COLUMN IF NOT EXISTS search_document tsvector "
    "GENERATED ALWAYS AS (to_tsvector('english'::regconfig, COALESCE(body, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS search_comment_full_text ON discussions_comment "
    "USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS search_comment_trigrams ON discussions_comment "
    "USING gin (body gin_trgm_ops)",
    # The newest visible comments first: a common word's newest matches are read
    # from the top of this instead of sorting every comment that holds it.
    "CREATE INDEX IF NOT EXISTS search_comment_newest ON discussions_comment "
    "(created_at DESC, id DESC) WHERE status = 'visible'",
]
POSTGRESQL_REVERSE = [
    "DROP INDEX IF EXISTS search_comment_full_text",
    "DROP INDEX IF EXISTS search_comment_trigrams",
    "DROP INDEX IF EXISTS search_comment_newest",
    "ALTER TABLE discussions_comment DROP COLUMN IF EXISTS search_document",
]

SQLITE_TABLES = {
    "discussions_comment": ("search_comment_fts", ["body"]),
    "discussions_concern": (
        "search_concern_fts",
        ["title_en", "title_ko", "description_en", "description_ko"],
    ),
    "news_seasonupdate": ("search_update_fts", ["title_en", "title_ko", "summary_en", "summary_ko"]),
}
EVENTS = ("insert", "update", "delete")


def _text_of(row, columns):
    return " || char(10) || ".join(f"coalesce({row}.{column}, '')" for column in columns)


def _sqlite_forward():
    # The trigram tokenizer (SQLite 3.34 on) matches inside words, Korean too.
    tokenizer = (
        "trigram" if sqlite3.sqlite_version_info >= (3, 34) else "unicode61 remove_diacritics 2"
    )
    for table, (fts, columns) in SQLITE_TABLES.items():
        yield f"CREATE VIRTUAL TABLE {fts} USING fts5(text, tokenize = '{tokenizer}')"
        yield (
            f"CREATE TRIGGER {fts}_insert AFTER INSERT ON {table} BEGIN "
            f"INSERT INTO {fts}(rowid, text) VALUES (new.id, {_text_of('new', columns)}); END"
        )
        yield (
            f"CREATE TRIGGER {fts}_update AFTER UPDATE ON {table} BEGIN "
            f"UPDATE {fts} SET text = {_text_of('new', columns)} WHERE rowid = old.id; END"
        )
        yield (
            f"CREATE TRIGGER {fts}_delete AFTER DELETE ON {table} BEGIN "
            f"DELETE FROM {fts} WHERE rowid = old.id; END"
        )
        yield f"INSERT INTO {fts}(rowid, text) SELECT id, {_text_of(table, columns)} FROM {table}"


def _sqlite_reverse():
    for fts, _columns in SQLITE_TABLES.values():
        for event in EVENTS:
            yield f"DROP TRIGGER IF EXISTS {fts}_{event}"
        yield f"DROP TABLE IF EXISTS {fts}"


def make_indexes(apps, schema_editor):
    """PostgreSQL: GIN indexes on the comments; SQLite: FTS5 tables kept by triggers."""
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_FORWARD, "sqlite": list(_sqlite_forward())}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement, params=None)


def drop_indexes(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_REVERSE, "sqlite": list(_sqlite_reverse())}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):

    dependencies = [
        ("discussions", "0012_korean_text"),
        ("news", "0003_korean_text"),
    ]

    operations = [
        # pg_trgm, on PostgreSQL only (the operation does nothing elsewhere).
        TrigramExtension(),
        migrations.RunPython(make_indexes, drop_indexes),
    ]
