"""The one seam between the site and its cache, at the bottom of the layers.

Every app may import it, and it imports none of them (docs/architecture.md):

- `versions`: named tokens (content, news, the vote history) that a write
  replaces, so whatever was cached under the old one is never read again;
  apps declare which of their models are content (`apps.py`), and writes to
  those replace the versions by themselves.
- `fresh`: which reads fill a cache (from the primary), and how long a kept
  page with a tally on it may be served (`TALLY_FRESH_SECONDS`).
- `shareable`: the query parameters that pages understand and may share.
- `store`: `cached()`, a value built once per version, and `portable_key()`.
- `backends`: the Redis cache that fails open.
"""
