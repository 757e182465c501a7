"""Read the forms and query links out of the pages, as a browser would see them.

Hand-kept field lists go stale as soon as someone adds a field; the pages
themselves always list what they accept.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urljoin, urlsplit


@dataclass
class Form:
    method: str
    action: str
    # (name, value) in page order: what a browser submits when the fan has
    # filled in nothing and picked the first offer of every choice.
    fields: list = field(default_factory=list)
    # Every value each name may take: options, radio buttons, checkboxes.
    choices: dict = field(default_factory=dict)
    # Named submit buttons: a browser sends the one that was pressed.
    buttons: dict = field(default_factory=dict)
    # The input type of each field ("textarea" and "select" for those tags).
    kinds: dict = field(default_factory=dict)
    multipart: bool = False

    def names(self):
        return {name for name, _ in self.fields} | set(self.choices) | set(self.buttons)


class _Parser(HTMLParser):
    def __init__(self, page_url):
        super().__init__(convert_charrefs=True)
        self.page_url = page_url
        self.forms = []
        self.links = []
        self._form = None
        self._checkboxes = set()
        self._select = None
        self._select_chosen = False
        self._textarea = None
        self._text = []

    def handle_starttag(self, tag, attrs):
        a = {k: ("" if v is None else v) for k, v in attrs}
        if tag == "a" and "href" in a:
            self.links.append(urljoin(self.page_url, a["href"]))
        elif tag == "form":
            self._finish()
            self._form = Form(
                method=a.get("method", "get").upper(),
                action=urljoin(self.page_url, a.get("action") or self.page_url),
                multipart="multipart" in a.get("enctype", ""),
            )
            self._checkboxes = set()
            self.forms.append(self._form)
        elif self._form is None:
            return
        elif tag == "option" and self._select is not None:
            self._option(a)
        elif not a.get("name"):
            return
        elif tag == "input":
            self._input(a)
        elif tag == "button" and a.get("type", "submit").lower() == "submit":
            _add(self._form.buttons, a["name"], a.get("value", ""))
        elif tag == "select":
            self._select, self._select_chosen = a["name"], False
            self._form.kinds[a["name"]] = "select"
            self._form.choices.setdefault(a["name"], [])
        elif tag == "textarea":
            self._textarea, self._text = a["name"], []
            self._form.kinds[a["name"]] = "textarea"

    def _input(self, a):
        kind = a.get("type", "text").lower()
        name, value = a["name"], a.get("value", "")
        self._form.kinds.setdefault(name, kind)
        if kind == "submit":
            _add(self._form.buttons, name, value)
        elif kind in {"checkbox", "radio"}:
            value = a.get("value", "on")
            _add(self._form.choices, name, value)
            if kind == "checkbox":
                self._checkboxes.add(name)
            if "checked" in a:
                self._form.fields.append((name, value))
        elif kind not in {"image", "reset", "button", "file"}:
            self._form.fields.append((name, value))

    def _option(self, a):
        value = a.get("value", "")
        _add(self._form.choices, self._select, value)
        if "selected" in a and not self._select_chosen:
            self._form.fields.append((self._select, value))
            self._select_chosen = True

    def handle_data(self, data):
        if self._textarea is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form":
            self._finish()
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append((self._textarea, "".join(self._text)))
            self._textarea = None

    def _finish(self):
        form, self._form = self._form, None
        if form is None:
            return
        present = {name for name, _ in form.fields}
        for name, values in form.choices.items():
            if name in present or not values:
                continue
            if name in self._checkboxes and len(values) > 1:
                # A column of checkboxes (the admin's row selection): tick them all.
                form.fields.extend((name, value) for value in values)
            elif name not in self._checkboxes:
                # An unanswered radio or select: the fan picks the first offer
                # that means something (admin selects start with "---------").
                form.fields.append((name, next((v for v in values if v), values[0])))


def _add(mapping, name, value):
    values = mapping.setdefault(name, [])
    if value not in values:
        values.append(value)


def parse(page_url, html):
    """Return the forms and the on-site links of one page."""
    parser = _Parser(page_url)
    parser.feed(html)
    parser.close()
    parser._finish()
    links = [link for link in parser.links if urlsplit(link).netloc in {"", "localhost"}]
    return parser.forms, links


def link_params(links, path):
    """The query parameters the page's own links send to path, name by name."""
    params = {}
    for link in links:
        parts = urlsplit(link)
        if parts.path != path or not parts.query:
            continue
        for name, value in parse_qsl(parts.query, keep_blank_values=True):
            _add(params, name, value)
    return params
