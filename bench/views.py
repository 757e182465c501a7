"""/bench/reference/: the page every figure of `make bench` is divided by.

A page about as cheap as a database-backed Django page can be: the first
concern's 50 oldest comments (id, author, body, time) read in one query and
put through a small template, with none of the site's own work (no cache,
no tallies, no threads). It is served by the same gunicorn, settings and
middleware as the site's pages, in the same round, so a page's req/s over
the reference's says how much heavier the page is, and that ratio holds on
a busy machine and from one machine to another where bare req/s would not.
"""

from functools import cache

from django.http import HttpResponse
from django.template import engines

from discussions.models import Comment, Concern

SHOWN = 50

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Reference page</title>
</head>
<body>
<main>
<h1>The oldest {{ comments|length }} comments</h1>
{% for comment in comments %}<article id="c{{ comment.pk }}">
<p><b>{{ comment.author.username }}</b> at {{ comment.created_at|date:"Y-m-d H:i" }}</p>
<p>{{ comment.body }}</p>
</article>
{% endfor %}</main>
</body>
</html>
"""


@cache
def page():
    """The template, compiled on first use in each worker and kept, like any cached template."""
    return engines["django"].from_string(PAGE)


def reference(request):
    """The comments as model instances with their authors, from a join and a subquery."""
    first = Concern.objects.order_by("position", "pk").values("pk")[:1]
    oldest = (
        Comment.objects.filter(concern__in=first)
        .select_related("author")
        .only("pk", "author__username", "body", "created_at")
        .order_by("created_at", "pk")
    )
    comments = list(oldest[:SHOWN])
    return HttpResponse(page().render({"comments": comments}, request))
