"""The full-text indexes search reads (search.engine), made by its migrations.

PostgreSQL keeps its stored document column and indexes on the comments'
table through any later change to it: nothing to do there. SQLite's FTS5
tables are kept in step by triggers on the tables they copy, and SQLite
drops a table's triggers whenever a migration rebuilds that table (most
changes to a column do): so after every `migrate`, repair() puts back any
trigger that is gone and fills that index again from its table (search.apps).
"""

from .engine import FTS_TABLES, SQLITE_TRIGRAM

TRIGGERS = ("insert", "update", "delete")


def _text_of(row, columns):
    """The SQL for one row's indexed text: its columns, one a line (NULL as empty)."""
    return " || char(10) || ".join(f"coalesce({row}.{column}, '')" for column in columns)


def _sqlite_statements(table, fts, columns):
    tokenizer = "trigram" if SQLITE_TRIGRAM else "unicode61 remove_diacritics 2"
    yield f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts} USING fts5(text, tokenize = '{tokenizer}')"
    yield (
        f"CREATE TRIGGER IF NOT EXISTS {fts}_insert AFTER INSERT ON {table} BEGIN "
        f"INSERT INTO {fts}(rowid, text) VALUES (new.id, {_text_of('new', columns)}); END"
    )
    yield (
        f"CREATE TRIGGER IF NOT EXISTS {fts}_update AFTER UPDATE ON {table} BEGIN "
        f"UPDATE {fts} SET text = {_text_of('new', columns)} WHERE rowid = old.id; END"
    )
    yield (
        f"CREATE TRIGGER IF NOT EXISTS {fts}_delete AFTER DELETE ON {table} BEGIN "
        f"DELETE FROM {fts} WHERE rowid = old.id; END"
    )


def _refill(cursor, table, fts, columns):
    cursor.execute(f"DELETE FROM {fts}")
    cursor.execute(
        f"INSERT INTO {fts}(rowid, text) SELECT id, {_text_of(table, columns)} FROM {table}"
    )


def repair(connection):
    """After `migrate` on SQLite: put back the triggers a rebuilt table lost, refill its index.

    Only where a migration made the FTS5 table: before it, there is nothing to repair.
    """
    if connection.vendor != "sqlite":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'trigger')")
        present = {name for (name,) in cursor.fetchall()}
        for fts, (table, columns) in FTS_TABLES.items():
            if fts not in present or all(f"{fts}_{event}" in present for event in TRIGGERS):
                continue
            for statement in _sqlite_statements(table, fts, columns):
                cursor.execute(statement)
            _refill(cursor, table, fts, columns)
