"""The request-level fuzzer: hostile requests at every target, as every role.

Each epoch empties the database, builds the world again and signs every role
in afresh, so what one request destroys (a deleted account, a logged-out
session, a suspended fan) never blinds the rest of the run for long.
"""

import json
import logging
import random
import re
import sys
import time
import traceback
import warnings
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qsl, quote_from_bytes, urlsplit

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.core.signals import got_request_exception
from django.db import connection
from django.test import Client

from . import crawl, hostile, targets, world

ROOT = Path(__file__).resolve().parent.parent
QUIET_LOGGERS = ("django.request", "django.security", "axes", "django.server")
FORM = "application/x-www-form-urlencoded"

# How often each kind of request is made; "valid" is a fan's own submission.
KINDS = {
    "fields": 40,
    "repeat": 8,
    "drop": 5,
    "extra": 5,
    "path": 8,
    "body": 8,
    "header": 9,
    "method": 5,
    "valid": 6,
}
BODY_KINDS = ["big", "utf16", "charset", "json", "multipart", "filename", "many", "length"]
BIG = 10 * 1024 * 1024
BOUNDARY = "fuzzboundary7MA4YWxkTrZu0gW"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
NUMERIC_NAMES = {"p", "page", "index", "parent", "id", "pk", "_selected_action"}
NUMERIC_ENDINGS = ("id", "forms", "position", "__exact", "user", "concern", "comment", "update")
DATE_PARTS = ("date", "_at", "__year", "__month", "__day", "__gte", "__lt")
# A Content-Length longer than the body would only hang a real server (and
# the test client refuses it), so it only ever lies short.
LENGTHS = ["0", "1", "5"]
# gunicorn, the production server, answers 400 itself to a header holding
# these (RFC 9110 5.5) or a Content-Length that is not digits; Django never
# sees such a request, so neither does the fuzz.
FORBIDDEN_IN_HEADERS = re.compile(r"[\x00-\x08\x0a-\x1f\x7f]")
FILL = {
    "text": "fuzz",
    "textarea": "Fuzz words.",
    "email": "fuzz@example.com",
    "url": "https://example.com/",
    "number": "1",
    "password": "zombie-proof-passphrase-42",
}
# The checklist's values, taking turns field by field.
CLASSICS = [
    hostile.NUL[1],
    hostile.SURROGATES[0],
    hostile.INVALID_UTF8[0],
    hostile.INVISIBLE[0],
    hostile.SQL[0],
    hostile.TEMPLATE[0],
    hostile.TEMPLATE[1],
    hostile.INTEGERS[0],
    b"-1",
    hostile.UNICODE_DIGITS[0],
    hostile.UNICODE_DIGITS[1],
    b"1.5",
    b"",
    b"   ",
    hostile.LONG[1],
    b"99999",
    hostile.URLS[0],
    hostile.URLS[3],
]
ODD_NAMES = [b"x[]", b"x[a]", b"\x00", hostile.SURROGATES[0], b"a" * 1000, b"", b"__proto__", b"%"]


@dataclass
class Sent:
    role: str
    method: str
    path: str
    kind: str
    content_type: str = ""
    body: bytes = b""
    headers: dict = field(default_factory=dict)
    note: str = ""  # what was made hostile, for the report

    def describe(self, limit=300):
        line = f"{self.role} {self.method} {self.path}"
        if self.note:
            line = f"[{self.kind}: {_short(self.note, 200)}] {line}"
        if len(line) > limit:
            line = line[:limit] + f"... ({len(self.path)} chars)"
        if self.headers:
            line += f"\n      headers: {_short(repr(self.headers), limit)}"
        if self.body or self.method not in ("GET", "HEAD"):
            body = repr(self.body[:limit])
            if len(self.body) > limit:
                body += f"... ({len(self.body)} bytes)"
            line += f"\n      body [{self.content_type or 'none'}]: {body}"
        return line


@dataclass
class Group:
    view: str
    exception: str
    message: str
    where: str
    count: int = 0
    first: Sent = None
    last: Sent = None
    traceback: str = ""


@dataclass
class Scenario:
    role: str
    target: targets.Target
    # (query pairs, body pairs) as the pages submit them, one per form.
    baselines: list
    pool: dict
    multipart: bool
    weight: int


def _short(text, limit):
    return text if len(text) <= limit else text[:limit] + "..."


def _b(value):
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


def _normalise(message):
    """One group per bug, not per hostile value: hide the values in the message."""
    message = re.sub(r"(['\"“])(.*?)(['\"”])", r"\1…\3", message, flags=re.S)
    return re.sub(r"\d+", "N", message)[:300]


class Recorder:
    """Counts every answer and groups the 5xx by view, exception and message."""

    def __init__(self):
        self.requests = Counter()
        self.statuses = Counter()
        self.server_errors = 0
        self.groups = {}
        self._pending = []

    def on_exception(self, sender, request=None, **kwargs):
        self._pending.append((sys.exc_info(), request))

    def begin(self):
        self._pending.clear()

    def observe(self, sent, status):
        self.requests[sent.kind] += 1
        self.statuses[(sent.role, status // 100)] += 1
        if status >= 500:
            self.server_errors += 1
            self._group(sent, status)

    def escaped(self, sent, error):
        """An exception the handler let through: a production server answers it 500."""
        self.requests[sent.kind] += 1
        self.statuses[(sent.role, 5)] += 1
        self.server_errors += 1
        self._pending.append(((type(error), error, error.__traceback__), None))
        self._group(sent, 500, view="(escaped the handler)")

    def _group(self, sent, status, view=None):
        if self._pending:
            (kind, error, tb), request = self._pending[-1]
            match = getattr(request, "resolver_match", None)
            view = view or (match.view_name if match else f"(before routing) {sent.path[:60]}")
            exception = f"{kind.__module__}.{kind.__qualname__}"
            message = str(error)
            frames = traceback.extract_tb(tb)
            where = _where(frames)
            text = _compact(frames, kind, error)
        else:
            view, exception, message, where, text = view or sent.path, f"HTTP {status}", "", "", ""
        key = (view, exception, _normalise(message))
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = Group(view, exception, message[:500], where, first=sent)
        group.count += 1
        group.last = sent
        group.traceback = text


def _compact(frames, kind, error):
    """A traceback on one line per frame, the way the report prints it."""
    lines = [f"{_show(frame)}" for frame in frames]
    cause = error.__cause__ or error.__context__
    lines.append(f"{kind.__name__}: {_short(str(error), 300)}")
    if cause is not None:
        lines.append(f"  (from {type(cause).__name__}: {_short(str(cause), 200)})")
    return "\n".join(lines)


def _show(frame):
    path = Path(frame.filename)
    name = path.relative_to(ROOT) if path.is_relative_to(ROOT) else path
    return f"{name}:{frame.lineno} in {frame.name}: {(frame.line or '').strip()}"


def _where(frames):
    """The innermost line of the project's own code, and the innermost line of all."""
    inner = frames[-1] if frames else None
    own = next(
        (
            f
            for f in reversed(frames)
            if f.filename.startswith(str(ROOT)) and ".venv" not in f.filename
        ),
        None,
    )
    lines = []
    if own is not None:
        lines.append("project: " + _show(own))
    if inner is not None and inner is not own:
        lines.append("raised:  " + _show(inner))
    return "\n".join(lines)


@contextmanager
def quiet_logs():
    """The console would drown in Django's own error logs; the report says it better."""
    saved = []
    for name in QUIET_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.level, logger.propagate, logger.handlers[:]))
        logger.setLevel(logging.CRITICAL + 1)
        logger.propagate = False
    try:
        yield
    finally:
        for logger, level, propagate, handlers in saved:
            logger.setLevel(level)
            logger.propagate = propagate
            logger.handlers[:] = handlers


class Fuzzer:
    def __init__(self, seed=1, requests=12_000, *, epoch=1_000, crawl="full", out=sys.stdout):
        self.seed, self.budget, self.epoch, self.crawl = seed, requests, epoch, crawl
        self.out = out
        self.rng = random.Random(seed)
        self.recorder = Recorder()
        self.scenarios = []
        self.uncovered = []
        self.forms_read = 0
        self.names = set()
        self.crawled = 0
        self.world = None
        self.clients = {}
        self.warnings = Counter()
        self._warned = []
        self.checklist = []

    # -- the run ------------------------------------------------------------

    def run(self):
        got_request_exception.connect(self.recorder.on_exception)
        started = time.monotonic()
        try:
            with quiet_logs(), warnings.catch_warnings(record=True) as self._warned:
                # Under pytest warnings are errors; here they are findings to list.
                warnings.simplefilter("always")
                sent = 0
                while sent < self.budget:
                    self.new_epoch()
                    if not self.scenarios:
                        self.read_pages()
                        self.build_checklist()
                    sent += self.fuzz_epoch(min(self.epoch, self.budget - sent))
        finally:
            got_request_exception.disconnect(self.recorder.on_exception)
        self.elapsed = time.monotonic() - started
        return self.recorder

    def new_epoch(self):
        world.reset_database()
        # The flush made new content type rows; cached ones would name stale ids.
        ContentType.objects.clear_cache()
        cache.clear()
        self.world = world.build()
        self.clients = {role: self._client(role) for role in world.ROLES}

    def _client(self, role):
        client = Client(raise_request_exception=False, HTTP_HOST="localhost")
        if role != "anonymous":
            client.force_login(self.world.users[role])
        return client

    def fuzz_epoch(self, count):
        order = [s for s in self.scenarios for _ in range(s.weight)]
        self.rng.shuffle(order)
        for n in range(count):
            if n % 20 == 0:
                # Rate limits would answer almost everything with 429 and hide
                # the code behind them; clearing the counters lets both show.
                cache.clear()
            if n % 2 and self.checklist:
                scenario, fixed = self.checklist.pop()
                self.send(scenario.role, self.make(scenario, "checklist", fixed))
                continue
            scenario = order[n % len(order)]
            kind = self.rng.choices(list(KINDS), weights=list(KINDS.values()))[0]
            self.send(scenario.role, self.make(scenario, kind))
        return count

    def build_checklist(self):
        """Every field of every page reached, once, and the admin's classic traps.

        Chance alone would leave some field of some form untried; this list
        gives each one hostile value (the values take turns) and every
        changelist the searches, orderings, pages and actions that break
        admins most often.
        """
        items, turn = [], 0
        for scenario in self.scenarios:
            if scenario.weight < 3 and self.crawl != "none":
                continue
            names = set(scenario.pool) | {n for _, pairs in scenario.baselines for n, _ in pairs}
            for name in sorted(names - {"csrfmiddlewaretoken"}):
                value = CLASSICS[turn % len(CLASSICS)]
                turn += 1
                valid = [v for v in scenario.pool.get(name, []) if v]
                # Every fifth time the name comes twice: an array where a scalar belongs.
                repeat = [(name, valid[0])] if valid and turn % 5 == 0 else []
                items.append((scenario, [*repeat, (name, value)]))
                if valid:
                    # Present but empty is the value code forgets most often.
                    items.append((scenario, [(name, b"")]))
            items += self._admin_traps(scenario)
        if self.budget < 2 * len(items):
            items = self.rng.sample(items, self.budget // 2)
        self.rng.shuffle(items)
        self.checklist = items

    def _admin_traps(self, scenario):
        if not scenario.target.name.endswith("_changelist"):
            return []
        if scenario.role not in ("moderator", "curator", "superuser"):
            return []
        huge = hostile.INTEGERS[0]
        if scenario.target.method == "GET":
            traps = [[("q", b"\x00")], [("q", b"a\x00b%_")], [("p", huge)], [("p", b"-1")]]
            traps += [[("o", value)] for value in hostile.ORDERINGS]
            for name in scenario.pool:
                if name.endswith("__year"):
                    traps.append([(name, b"99999")])
                elif name.endswith(("__gte", "__lt", "__month", "__day")):
                    day = name.endswith(("__month", "__day"))
                    traps.append([(name, b"99999" if day else b"99999-01-01")])
            return [(scenario, trap) for trap in traps]
        actions = [a for a in scenario.pool.get("action", []) if a]
        traps = []
        for action in actions:
            for selected in (b"abc", huge, b"\x00", hostile.UNICODE_DIGITS[1], b""):
                traps.append([("action", action), ("_selected_action", selected)])
            traps.append([("action", action), ("select_across", b"1"), ("index", b"abc")])
        return [(scenario, trap) for trap in traps]

    def send(self, role, sent):
        client = self.clients[role]
        sent.headers = {k: FORBIDDEN_IN_HEADERS.sub("", v) for k, v in sent.headers.items()}
        sent.content_type = FORBIDDEN_IN_HEADERS.sub("", sent.content_type)
        self.recorder.begin()
        try:
            response = client.generic(
                sent.method,
                sent.path,
                data=sent.body,
                content_type=sent.content_type or "application/octet-stream",
                **sent.headers,
            )
        except Exception as error:
            self.recorder.escaped(sent, error)
            response = None
        else:
            self.recorder.observe(sent, response.status_code)
            response.close()
        self._keep_role(role, client)
        for warning in self._warned:
            where = Path(warning.filename)
            where = where.relative_to(ROOT) if where.is_relative_to(ROOT) else where
            key = f"{warning.category.__name__}: {_normalise(str(warning.message))[:160]}"
            self.warnings[f"{key} ({where}:{warning.lineno})"] += 1
        self._warned.clear()
        return response

    def _keep_role(self, role, client):
        """Undo what a request did to who the client is (a login, a logout)."""
        if role == "anonymous":
            client.cookies.clear()
        elif not client.session.get("_auth_user_id"):
            client.cookies.clear()
            user = type(self.world.users[role]).objects.filter(pk=self.world.users[role].pk)
            # A superuser may have deleted the account; the role then browses
            # signed out until the next epoch builds it again.
            if user.exists():
                client.force_login(user.get())

    # -- reading the pages --------------------------------------------------

    def read_pages(self):
        """GET every target as each role that can see it and read its forms and links."""
        all_targets = targets.build(self.world)
        self.uncovered = targets.uncovered(all_targets)
        forms, links, status = {}, {}, {}
        for target in all_targets:
            if target.method != "GET":
                continue
            for role in self._readers(target):
                sent = Sent(role, "GET", target.path, "crawl")
                response = self.send(role, sent)
                self.crawled += 1
                if response is None:
                    continue
                status[(role, target.path)] = response.status_code
                if response.status_code != 200 or "html" not in response.get("Content-Type", ""):
                    continue
                page_forms, page_links = crawl.parse(
                    "http://localhost" + target.path, response.content.decode("utf-8", "replace")
                )
                for form in page_forms:
                    path = urlsplit(form.action).path
                    forms.setdefault((role, form.method, path), []).append(form)
                    self.forms_read += 1
                for name, values in crawl.link_params(page_links, target.path).items():
                    merged = links.setdefault(target.path, {}).setdefault(name, [])
                    merged.extend(v for v in values if v not in merged)
        self.scenarios = [
            self._scenario(role, target, forms, links, status)
            for target in all_targets
            for role in world.ROLES
        ]
        self.new_epoch()

    def _readers(self, target):
        """Who reads the page: everyone who may ("full"), one of each kind, or nobody."""
        if self.crawl == "none":
            return ()
        full = self.crawl == "full"
        if target.route.startswith("admin/"):
            return ("moderator", "curator", "superuser") if full else ("superuser",)
        return world.ROLES if full else ("fan",)

    def _scenario(self, role, target, forms, links, status):
        path, method = target.path, target.method
        found = forms.get((role, method, path)) or next(
            (f for (r, m, p), f in sorted(forms.items()) if m == method and p == path), []
        )
        pool = {name: list(values) for name, values in targets.known_params(target).items()}
        if method == "GET":
            for name, values in links.get(path, {}).items():
                pool.setdefault(name, []).extend(values)
        baselines = []
        for form in found:
            for name, values in [*form.choices.items(), *form.buttons.items()]:
                pool.setdefault(name, []).extend(values)
            for name, value in form.fields:
                pool.setdefault(name, []).append(value)
            query = parse_qsl(urlsplit(form.action).query, keep_blank_values=True)
            pairs = [(name, self._filled(form, name, value, pool)) for name, value in form.fields]
            listed = {name for name, _ in pairs}
            pairs += [
                (name, self._filled(form, name, "", pool))
                for name, kind in form.kinds.items()
                if kind == "select" and name not in listed and not form.choices.get(name)
            ]
            # A browser sends the one button pressed: the first, the usual "Save".
            pairs += [(name, values[0]) for name, values in list(form.buttons.items())[:1]]
            baselines.append((query, pairs))
        if not baselines:
            # No page shows this role a form here: submit what the contract names.
            baselines.append(([], [(name, values[0]) for name, values in pool.items() if values]))
        if method == "GET":
            baselines = [([], query + pairs) for query, pairs in baselines]
        self.names.update(f"{method} {name}" for name in pool)
        seen = status.get((role, path))
        weight = 3 if seen == 200 or (method == "POST" and (role, method, path) in forms) else 1
        if target.route.startswith("admin/") and role in ("anonymous", "fan", "suspended"):
            weight = 1
        return Scenario(role, target, baselines, pool, any(f.multipart for f in found), weight)

    def _filled(self, form, name, value, pool):
        """What a fan types into a field the page left empty, so the form can succeed."""
        if value.strip():
            return value
        known = [v for v in pool.get(name, []) if v]
        kind = form.kinds.get(name, "")
        if known and kind != "hidden":
            return known[0]
        if kind == "select" and name.endswith("user"):
            # An autocomplete select lists no options until one is searched.
            return str(self.world.users["fan"].pk)
        return FILL.get(kind, value) if not re.search(r"_\d$", name) else value

    # -- making one request -------------------------------------------------

    def make(self, scenario, kind, fixed=()):
        rng, target = self.rng, scenario.target
        query, pairs = rng.choice(scenario.baselines)
        query = [(_b(n), _b(v)) for n, v in query]
        pairs = [(_b(n), _b(v)) for n, v in pairs]
        note = ""
        if fixed:
            replaced = {_b(n) for n, _ in fixed}
            pairs = [(n, v) for n, v in pairs if n not in replaced]
            pairs += [(_b(n), _b(v)) for n, v in fixed]
            note = ", ".join(f"{_b(n).decode('utf-8', 'replace')}={_b(v)[:40]!r}" for n, v in fixed)
        method, args = target.method, [_b(a) for a in target.args]
        names = sorted({_b(n) for n in scenario.pool} | {n for n, _ in pairs})
        headers, content_type, body = {}, "", None
        if kind == "path" and not args:
            kind = "fields"
        if kind == "body" and method == "GET":
            kind = "fields"

        if kind == "fields" and names:
            chosen = {n for n in names if rng.random() < 0.3} or {rng.choice(names)}
            kept = [(n, v) for n, v in pairs if n not in chosen or rng.random() < 0.2]
            bad = [(n, self.hostile_for(n)) for n in sorted(chosen)]
            pairs = kept + bad
            note = ", ".join(f"{n.decode('utf-8', 'replace')}={v[:40]!r}" for n, v in bad)
        elif kind == "repeat" and names:
            name = rng.choice(names)
            valid = [_b(v) for v in scenario.pool.get(name.decode("utf-8", "replace"), [])]
            pairs += [(name, rng.choice([*valid, self.hostile_for(name)])) for _ in range(3)]
            note = f"{name.decode('utf-8', 'replace')} three more times"
        elif kind == "drop" and pairs:
            dropped = rng.choice(pairs)[0]
            pairs = [(n, v) for n, v in pairs if n != dropped]
            note = f"without {dropped.decode('utf-8', 'replace')}"
        elif kind == "extra":
            odd = [(rng.choice(ODD_NAMES), hostile.pick(rng)) for _ in range(rng.randint(1, 3))]
            pairs += odd
            note = ", ".join(f"{n[:20]!r}={v[:20]!r}" for n, v in odd)
        elif kind == "path":
            at = rng.randrange(len(args))
            args[at] = hostile.pick(rng, hostile.PATH_VALUES)
            note = f"path argument {at + 1} = {args[at][:40]!r}"
        elif kind == "header":
            headers = self.hostile_headers()
            note = ", ".join(headers)
        elif kind == "method":
            method = rng.choice(hostile.HTTP_METHODS)
            note = method
        elif kind == "valid":
            pairs = self.valid_choices(scenario, pairs)

        if rng.random() < 0.2:
            headers |= {"HTTP_HX_REQUEST": "true", "HTTP_HX_CURRENT_URL": "http://localhost/"}
            if rng.random() < 0.5:
                headers["HTTP_HX_TARGET"] = "load-more"
        path = target.template.format(*(quote_from_bytes(a, safe="") for a in args))
        if method in ("GET", "HEAD"):
            query += pairs
        elif kind == "body":
            content_type, body, lie = self.hostile_body(pairs)
            headers |= lie
            note = f"{len(body)} bytes of {content_type[:50]}" + (" (short length)" if lie else "")
        elif scenario.multipart or rng.random() < 0.15:
            content_type, body = (
                f"multipart/form-data; boundary={BOUNDARY}",
                hostile.multipart(pairs),
            )
        else:
            content_type, body = FORM, hostile.encode_pairs(pairs).encode()
        if query:
            path += "?" + hostile.encode_pairs(query)
        return Sent(scenario.role, method, path, kind, content_type, body or b"", headers, note)

    def hostile_for(self, name):
        rng, n = self.rng, name.decode("utf-8", "replace").lower()
        category = None
        if rng.random() < 0.5:
            if n == "o":
                category = hostile.ORDERINGS
            elif n in NUMERIC_NAMES or n.endswith(NUMERIC_ENDINGS):
                category = hostile.INTEGERS + hostile.UNICODE_DIGITS + hostile.FLOATS
            elif any(part in n for part in DATE_PARTS):
                category = hostile.DATES + hostile.INTEGERS
            elif "next" in n or "url" in n:
                category = hostile.URLS
        return hostile.pick(rng, category or hostile.ALL)

    def valid_choices(self, scenario, pairs):
        """A fan's submission with other offered choices picked."""
        out = list(pairs)
        for name, values in scenario.pool.items():
            if values and self.rng.random() < 0.3:
                out = [(n, v) for n, v in out if n != _b(name)] + [(_b(name), _b(values[0]))]
                out[-1] = (out[-1][0], _b(self.rng.choice(values)))
        return out

    def hostile_headers(self):
        rng = self.rng
        pick = rng.choice(["host", "language", "cookie", "htmx", "forwarded", "referer", "agent"])
        text = hostile.pick(rng).decode("latin-1")
        if pick == "host":
            return {"HTTP_HOST": rng.choice(hostile.HOSTS).decode("latin-1")}
        if pick == "language":
            return {"HTTP_ACCEPT_LANGUAGE": rng.choice(hostile.LANGUAGES).decode("latin-1")}
        if pick == "cookie":
            cookie = rng.choice(["sessionid", "django_language", "csrftoken", "messages"])
            return {"HTTP_COOKIE": f"{cookie}={text}"}
        if pick == "htmx":
            return {
                "HTTP_HX_REQUEST": rng.choice(["true", text]),
                "HTTP_HX_TARGET": rng.choice(["load-more", text]),
                "HTTP_HX_CURRENT_URL": text,
                "HTTP_HX_TRIGGER": text,
            }
        if pick == "forwarded":
            return {"HTTP_X_FORWARDED_FOR": text, "HTTP_X_FORWARDED_PROTO": text}
        if pick == "referer":
            return {"HTTP_REFERER": text}
        return {"HTTP_USER_AGENT": text}

    def hostile_body(self, pairs):
        rng = self.rng
        encoded = hostile.encode_pairs(pairs).encode()
        how = rng.choice(BODY_KINDS)
        multipart = MULTIPART
        if how == "big":
            if rng.random() < 0.5:
                return FORM, encoded + b"&body=" + b"A" * BIG, {}
            return multipart, hostile.multipart([*pairs, (b"body", b"A" * BIG)]), {}
        if how == "utf16":
            text = "&".join(f"{n.decode('latin-1')}={v.decode('latin-1')}" for n, v in pairs)
            return f"{FORM}; charset=utf-16", text.encode("utf-16"), {}
        if how == "charset":
            charset = rng.choice(["bogus", "utf-7", "x\x00", "utf-32", "latin-1"])
            return f"{FORM}; charset={charset}", encoded, {}
        if how == "json":
            data = {n.decode("utf-8", "replace"): [v.decode("utf-8", "replace")] for n, v in pairs}
            return "application/json", json.dumps(data).encode(), {}
        if how == "multipart":
            # A multipart body whose boundary never comes, or comes wrong.
            body = hostile.multipart(pairs)
            content_type, body = rng.choice(
                [
                    ("multipart/form-data", body),
                    (multipart, body[: len(body) // 2]),
                    ("multipart/form-data; boundary=", body),
                    (f"multipart/form-data; boundary={'x' * 100}", body),
                ]
            )
            return content_type, body, {}
        if how == "filename":
            name = rng.choice([b"a.txt", b"\x00", b"../../x", hostile.SURROGATES[0], b'"'])
            return multipart, hostile.multipart(pairs, filename=name), {}
        if how == "many":
            return FORM, encoded + b"&" + b"&".join(b"f%d=1" % i for i in range(1500)), {}
        return FORM, encoded, {"CONTENT_LENGTH": rng.choice(LENGTHS)}

    # -- the report ---------------------------------------------------------

    def report(self, api=None):
        rec, out = self.recorder, self.out
        hostile_count = sum(n for k, n in rec.requests.items() if k not in ("crawl", "valid"))
        total = sum(rec.requests.values()) + (api.requests if api else 0)
        errors = rec.server_errors + (api.server_errors if api else 0)
        print(f"\n== fuzz on {connection.vendor}, seed {self.seed}", file=out)
        print(f"requests sent: {total}", file=out)
        print(
            f"  request fuzz: {sum(rec.requests.values())} ({hostile_count} hostile, "
            f"{rec.requests['valid']} valid submissions, {rec.requests['crawl']} page reads) "
            f"in {self.elapsed:.0f} s",
            file=out,
        )
        if api is not None:
            print(f"  schemathesis: {api.requests}", file=out)
        print(f"5xx: {errors}", file=out)
        print(
            f"coverage: {len(self.scenarios)} role x target scenarios, "
            f"{len({s.target.route for s in self.scenarios})} url patterns "
            f"({len(self.uncovered)} unreached), {self.forms_read} forms read, "
            f"{len(self.names)} parameter names",
            file=out,
        )
        for route in self.uncovered:
            print(f"  unreached pattern: {route}", file=out)
        kinds = ", ".join(f"{k} {n}" for k, n in sorted(rec.requests.items()))
        print(f"by kind: {kinds}", file=out)
        for role in world.ROLES:
            by_class = " ".join(f"{c}xx:{rec.statuses[(role, c)]}" for c in range(1, 6))
            print(f"  {role:<10} {by_class}", file=out)
        self._print_groups(out)
        if self.warnings:
            print(f"\nwarnings raised while serving: {len(self.warnings)} distinct", file=out)
            for text, n in self.warnings.most_common():
                print(f"  {n:>6} x {text}", file=out)
        if api is not None:
            self._print_api(api, out)
        return errors

    def _print_causes(self, out):
        """The groups again, one line per raising line: one bug often breaks many views."""
        causes = {}
        for group in self.recorder.groups.values():
            raised = group.where.splitlines()[-1] if group.where else group.exception
            cause = causes.setdefault((group.exception, raised), [0, set()])
            cause[0] += group.count
            cause[1].add(group.view)
        print(f"\n5xx causes (by exception and the line that raised it): {len(causes)}", file=out)
        for (exception, raised), (count, views) in sorted(causes.items(), key=lambda c: -c[1][0]):
            print(f"  {count:>5} x {exception}", file=out)
            print(f"          {raised.strip()}", file=out)
            named = _short(", ".join(sorted(views)), 600)
            print(f"          in {len(views)} views: {named}", file=out)

    def _print_groups(self, out):
        self._print_causes(out)
        groups = sorted(self.recorder.groups.values(), key=lambda g: (-g.count, g.view))
        print(f"\n5xx groups: {len(groups)}", file=out)
        for n, group in enumerate(groups, 1):
            print(f"\n-- #{n}: {group.count} x {group.view}", file=out)
            print(f"   {group.exception}: {_short(group.message, 400)}", file=out)
            if group.where:
                print("   " + group.where.replace("\n", "\n   "), file=out)
            print(f"   first: {group.first.describe()}", file=out)
            print(f"   last:  {group.last.describe()}", file=out)
            if group.traceback:
                print("   last traceback:", file=out)
                print("\n".join("     " + line for line in group.traceback.splitlines()), file=out)

    def _print_api(self, api, out):
        print(f"\nschemathesis: {len(api.failures)} distinct failures", file=out)
        for (check, operation, title), (message, curl) in sorted(api.failures.items()):
            print(f"-- {check} on {operation}: {title}", file=out)
            print("   " + _short(message.strip(), 600).replace("\n", "\n   "), file=out)
            if curl:
                print(f"   reproduce: {_short(curl.strip(), 300)}", file=out)
