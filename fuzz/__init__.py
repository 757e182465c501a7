"""The fuzzer: hostile requests at every URL, form field and query parameter.

`make fuzz` (or `python -m fuzz`) builds a site's worth of rows in a database
of its own, then sends FUZZ_REQUESTS (16,000) requests, all but a few percent
of them hostile, as an anonymous visitor, a fan, a suspended fan, a
moderator, a curator and a superuser, at every URL the resolver routes (the
admin of every registered model included), and runs schemathesis against
docs/openapi.yaml. It prints how many requests it sent, how many answers were
5xx, and each distinct 5xx with the request that caused it, the failing line
and a traceback; it exits 1 on any 5xx or any schemathesis failure.

- `world.py` builds the rows: every comment status, votes, news in each
  state, reports, suspensions, follows, notifications and what a deleted
  account leaves behind.
- `targets.py` lists the URLs, from the resolver and the admin registry.
- `crawl.py` reads each page's forms and links, so every field the pages
  offer is fuzzed without a hand list.
- `hostile.py` holds the values: NUL, lone surrogates, invalid UTF-8, RTL
  marks, SQL and template syntax, huge and Unicode numbers, dates in year
  99999, foreign `next=` targets, 10 MB bodies, UTF-16 and bogus charsets.
- `harness.py` sends, counts, groups and reports. About half the requests
  are a checklist (every field of every page reached gets a hostile value and
  an empty one; every changelist gets NUL searches, year 99999, unknown
  orderings, huge pages and non-numeric `_selected_action`), the rest are
  random mutations: bad fields, repeated keys, dropped and extra fields,
  hostile path ids, bodies, headers and methods. Requests are what gunicorn
  lets through: no control characters in headers, a numeric Content-Length.
- `api.py` runs schemathesis in-process against the WSGI app.

Settings: FUZZ_REQUESTS, FUZZ_SEED (1; the same seed sends the same
requests), FUZZ_EPOCH (1,000 requests between rebuilds of the rows),
FUZZ_API_EXAMPLES (200 per schemathesis operation and phase), DATABASE_URL
(SQLite by default; PostgreSQL when set, where NUL and integer overflow fail
differently), FUZZ_SQLITE (the SQLite file to use instead of a temporary one).
tests/test_fuzz.py runs a few hundred requests on every test run.
"""
