import sqlite3

from django.db import migrations

# What others' searches read of a comment: its text outside spoilers
# (discussions 0015), never its body, whose spoilers would make it a hit. The
# body's document stays, unindexed, for its author's own searches, which read
# only their own comments (through the author's index). Frozen here as made;
# search.index repairs the SQLite triggers later migrations take away.
POSTGRESQL_FORWARD = [
    "ALTER TABLE discussions_comment ADD COLUMN IF NOT EXISTS search_public_document tsvector "
    "GENERATED ALWAYS AS "
    "(to_tsvector('english'::regconfig, COALESCE(text_outside_spoilers, ''))) STORED",
    "CREATE INDEX IF NOT EXISTS search_comment_public_full_text ON discussions_comment "
    "USING gin (search_public_document)",
    "CREATE INDEX IF NOT EXISTS search_comment_public_trigrams ON discussions_comment "
    "USING gin (text_outside_spoilers gin_trgm_ops)",
    "DROP INDEX IF EXISTS search_comment_full_text",
    "DROP INDEX IF EXISTS search_comment_trigrams",
]
POSTGRESQL_REVERSE = [
    "CREATE INDEX IF NOT EXISTS search_comment_full_text ON discussions_comment "
    "USING gin (search_document)",
    "CREATE INDEX IF NOT EXISTS search_comment_trigrams ON discussions_comment "
    "USING gin (body gin_trgm_ops)",
    "DROP INDEX IF EXISTS search_comment_public_full_text",
    "DROP INDEX IF EXISTS search_comment_public_trigrams",
    "ALTER TABLE discussions_comment DROP COLUMN IF EXISTS search_public_document",
]

FTS = "search_comment_public_fts"
TEXT = "coalesce({row}.text_outside_spoilers, '')"
EVENTS = ("insert", "update", "delete")


def _sqlite_forward():
    tokenizer = (
        "trigram" if sqlite3.sqlite_version_info >= (3, 34) else "unicode61 remove_diacritics 2"
    )
    yield f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, tokenize = '{tokenizer}')"
    yield (
        f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON discussions_comment BEGIN "
        f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, {TEXT.format(row='new')}); END"
    )
    yield (
        f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON discussions_comment BEGIN "
        f"UPDATE {FTS} SET text = {TEXT.format(row='new')} WHERE rowid = old.id; END"
    )
    yield (
        f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON discussions_comment BEGIN "
        f"DELETE FROM {FTS} WHERE rowid = old.id; END"
    )
    yield (
        f"INSERT INTO {FTS}(rowid, text) "
        f"SELECT id, {TEXT.format(row='discussions_comment')} FROM discussions_comment"
    )


def _sqlite_reverse():
    for event in EVENTS:
        yield f"DROP TRIGGER IF EXISTS {FTS}_{event}"
    yield f"DROP TABLE IF EXISTS {FTS}"


def index_words_outside_spoilers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_FORWARD, "sqlite": list(_sqlite_forward())}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement, params=None)


def index_bodies_again(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"postgresql": POSTGRESQL_REVERSE, "sqlite": list(_sqlite_reverse())}
    for statement in statements.get(vendor, []):
        schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [
        ("search", "0001_full_text"),
        ("discussions", "0015_comment_text_outside_spoilers"),
    ]

    operations = [
        migrations.RunPython(index_words_outside_spoilers, index_bodies_again),
    ]
