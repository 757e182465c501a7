import sqlite3

from django.db import migrations

# An update marked as a spoiler is found by its title alone: words only in its
# summary would tell what the spoiler says. SQLite needs an FTS5 table of the
# titles for that (PostgreSQL makes the titles' vector on the fly: updates are
# few). Frozen here as made; search.index repairs the triggers later
# migrations take away.
FTS = "search_update_title_fts"
TEXT = "coalesce({row}.title_en, '') || char(10) || coalesce({row}.title_ko, '')"
EVENTS = ("insert", "update", "delete")


def _sqlite_forward():
    tokenizer = (
        "trigram" if sqlite3.sqlite_version_info >= (3, 34) else "unicode61 remove_diacritics 2"
    )
    yield f"CREATE VIRTUAL TABLE {FTS} USING fts5(text, tokenize = '{tokenizer}')"
    yield (
        f"CREATE TRIGGER {FTS}_insert AFTER INSERT ON news_seasonupdate BEGIN "
        f"INSERT INTO {FTS}(rowid, text) VALUES (new.id, {TEXT.format(row='new')}); END"
    )
    yield (
        f"CREATE TRIGGER {FTS}_update AFTER UPDATE ON news_seasonupdate BEGIN "
        f"UPDATE {FTS} SET text = {TEXT.format(row='new')} WHERE rowid = old.id; END"
    )
    yield (
        f"CREATE TRIGGER {FTS}_delete AFTER DELETE ON news_seasonupdate BEGIN "
        f"DELETE FROM {FTS} WHERE rowid = old.id; END"
    )
    yield (
        f"INSERT INTO {FTS}(rowid, text) "
        f"SELECT id, {TEXT.format(row='news_seasonupdate')} FROM news_seasonupdate"
    )


def _sqlite_reverse():
    for event in EVENTS:
        yield f"DROP TRIGGER IF EXISTS {FTS}_{event}"
    yield f"DROP TABLE IF EXISTS {FTS}"


def index_update_titles(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _sqlite_forward():
            schema_editor.execute(statement, params=None)


def drop_update_titles(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for statement in _sqlite_reverse():
            schema_editor.execute(statement, params=None)


class Migration(migrations.Migration):
    dependencies = [("search", "0002_words_outside_spoilers")]

    operations = [migrations.RunPython(index_update_titles, drop_update_titles)]
