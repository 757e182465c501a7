"""The query parameters pages understand, and so may share a copy for.

A page is kept for everyone who asks for it with the same parameters; any
other parameter, repeated one, or longer value, and it is built for that
visitor alone, since its links would carry what they sent. URL names are
strings here, as a lower app names a higher app's model in a foreign key.
"""

from urllib.parse import urlencode

# What every page understands: `?lang=`, the form of a page search engines
# index in each language (aouad.languages).
LANGUAGE = "lang"

# The pages kept whole for anonymous visitors (aouad.pagecache), with the
# parameters each understands besides LANGUAGE.
PAGES = {
    "discussions:home": (),
    "discussions:article-detail": (),
    "discussions:concern-detail": ("page", "sort", "stance"),
    # A fan's name, bio and comments are content; public votes lag as tallies do.
    "discussions:fan-profile": ("page",),
    "discussions:api-concern-list": (),
    "discussions:api-concern-detail": (),
    # What open concern pages poll for (discussions.live), answered with a 304 when
    # the reader has it: the crowd on one fear never reaches the session.
    "discussions:concern-live": (),
    # Short, common searches (a value longer than MAX_VALUE_LENGTH is built each time).
    "search:results": ("q", "sort", "type", "page"),
}
MAX_VALUE_LENGTH = 12


def shared_query(view_name, query):
    """The query, encoded in a fixed order, or None when the page must be built for this one.

    Encoded, so a value holding "&" or "=" never reads as another parameter.
    """
    known = PAGES.get(view_name)
    if known is None:
        return None
    parts = []
    for name in sorted(query):
        values = query.getlist(name)
        if name not in (*known, LANGUAGE) or len(values) != 1 or len(values[0]) > MAX_VALUE_LENGTH:
            return None
        parts.append(urlencode({name: values[0]}))
    return "&".join(parts)
