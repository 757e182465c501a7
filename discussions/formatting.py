"""Comments in a safe Markdown subset: the HTML pages show, the plain text mail and feeds show.

What fans may use: emphasis, links, quotes, lists, code, line breaks as typed,
plain URLs made links, inline spoilers (`||like this||`) and `@username`
mentions. Headings, images, tables, rules and raw HTML are not in it: they
show as the text that was typed.

Two locks, each enough on its own: markdown-it-py parses with HTML turned
off (every `<` the fan typed is text), and nh3 then keeps only the tags and
attributes below, so no markup the parser might let through by mistake
reaches a page. Links go only to http, https and mailto addresses and carry
`rel="nofollow ugc noopener"`.

Rendered HTML holds no translated words and no per-visitor content, so the
same HTML is stored on the comment (Comment.body_html) and shared by every
page and language.
"""

import re
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import nh3
from django.contrib.auth import get_user_model
from django.db.models.functions import Lower
from django.utils.translation import gettext as _
from markdown_it import MarkdownIt
from markdown_it.common.utils import escapeHtml
from markdown_it.token import Token

LINK_SCHEMES = frozenset({"http", "https", "mailto"})
LINK_REL = "nofollow ugc noopener"
SPOILER_MARK = "||"

ALLOWED_TAGS = frozenset(
    {"p", "br", "em", "strong", "a", "blockquote", "ul", "ol", "li", "code", "pre", "span"}
)
# "*": nothing on every tag (nh3 would otherwise allow lang and title anywhere).
ALLOWED_ATTRIBUTES = {"*": set(), "a": {"href"}, "span": {"tabindex"}, "ol": {"start"}}
ALLOWED_CLASSES = {"a": {"mention"}, "span": {"inline-spoiler"}}

# A username as accounts allows it (letters, digits and . + - _), after an @
# that does not sit inside a word or an address.
MENTION = re.compile(r"(?<![\w.+@-])@([\w.+-]+)")
# Trailing punctuation ends a sentence more often than a username.
TRAILING = ".+-"


def _allowed_link(url):
    """Only web and mail addresses: relative, javascript:, data: and the rest stay text."""
    try:
        scheme = urlsplit(url).scheme
    except ValueError:
        return False
    return scheme.lower() in LINK_SCHEMES


def _spoiler(state, silent):
    """`||text||` inline: the text between the marks, hidden until the reader reveals it."""
    start = state.pos
    if not state.src.startswith(SPOILER_MARK, start):
        return False
    end = state.src.find(SPOILER_MARK, start + 2, state.posMax)
    if end < 0 or not state.src[start + 2 : end].strip():
        return False
    if not silent:
        old_max = state.posMax
        state.pos, state.posMax = start + 2, end
        state.push("spoiler_open", "span", 1).markup = SPOILER_MARK
        state.md.inline.tokenize(state)
        state.push("spoiler_close", "span", -1).markup = SPOILER_MARK
        state.posMax = old_max
    state.pos = end + 2
    return True


def _spoiler_open(renderer, tokens, idx, options, env):
    # Focusable, so keyboard users reveal it as mouse users do (site.css); no JS needed.
    return '<span class="inline-spoiler" tabindex="0">'


def _spoiler_close(renderer, tokens, idx, options, env):
    return "</span>"


def _image_as_text(renderer, tokens, idx, options, env):
    """Images are not in the subset: show what was typed, as text."""
    token = tokens[idx]
    typed = f"![{token.content}]({token.attrGet('src') or ''})"
    return escapeHtml(typed)


def _parser():
    md = MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    md.disable(["heading", "lheading", "hr", "html_block", "html_inline", "reference"])
    md.enable(["linkify"])
    md.validateLink = _allowed_link
    md.inline.add_terminator_char("|")
    md.inline.ruler.before("text", "spoiler", _spoiler)
    md.add_render_rule("spoiler_open", _spoiler_open)
    md.add_render_rule("spoiler_close", _spoiler_close)
    md.add_render_rule("image", _image_as_text)
    return md


PARSER = _parser()


@dataclass
class Rendered:
    """A comment's HTML and the fans it mentions, in the order it names them.

    `mentioned` leaves out names inside code (literal text) and inside quotes
    (someone else's words): those are links, but not the author calling on anyone.
    """

    html: str
    mentioned: list = field(default_factory=list)


def _inline_tokens(tokens):
    """Yield (inline token, whether it sits inside a quote) for each run of inline text."""
    quotes = 0
    for token in tokens:
        if token.type == "blockquote_open":
            quotes += 1
        elif token.type == "blockquote_close":
            quotes -= 1
        elif token.type == "inline":
            yield token, quotes > 0


def _drop_refused_links(inline):
    """Make links to addresses not allowed plain text (markdown-it keeps them with href="")."""
    kept, dropping = [], []
    for token in inline.children or []:
        if token.type == "link_open":
            refused = not _allowed_link(token.attrGet("href") or "")
            dropping.append(refused)
            if refused:
                continue
        elif token.type == "link_close" and dropping and dropping.pop():
            continue
        kept.append(token)
    inline.children = kept


def _text_outside_links(inline):
    """Yield the index of each text token that is not already a link's text."""
    in_link = 0
    for i, token in enumerate(inline.children or []):
        if token.type == "link_open":
            in_link += 1
        elif token.type == "link_close":
            in_link -= 1
        elif token.type == "text" and not in_link:
            yield i


def _candidates(name):
    """The usernames "@name" may mean: as typed, then without a sentence's last dot."""
    return [name, name.rstrip(TRAILING)] if name.rstrip(TRAILING) != name else [name]


def _mentionable(names):
    """{lowercased username: user} for the names that are existing, active accounts."""
    if not names:
        return {}
    users = (
        get_user_model()
        .objects.filter(is_active=True)
        .alias(key=Lower("username"))
        .filter(key__in={name.lower() for name in names})
    )
    return {user.username.lower(): user for user in users}


def _link_mentions(inline, users, mentioned, quoted):
    """Split the inline's text tokens at each @mention of a known fan into a profile link."""
    children = inline.children or []
    for i in reversed(list(_text_outside_links(inline))):
        text = children[i].content
        nodes, last = [], 0
        for match in MENTION.finditer(text):
            user = next(
                (users[c.lower()] for c in _candidates(match[1]) if c.lower() in users), None
            )
            if user is None:
                continue
            end = match.start() + 1 + len(user.username)
            if last < match.start():
                nodes.append(_text(text[last : match.start()], children[i].level))
            link = Token("link_open", "a", 1)
            link.attrs = {"href": user.get_absolute_url(), "class": "mention"}
            nodes += [link, _text(text[match.start() : end], 0), Token("link_close", "a", -1)]
            last = end
            if not quoted:
                mentioned.append(user)
        if nodes:
            if last < len(text):
                nodes.append(_text(text[last:], children[i].level))
            children[i : i + 1] = nodes
    inline.children = children


def _text(content, level):
    token = Token("text", "", 0)
    token.content, token.level = content, level
    return token


def _names_in(tokens):
    names = set()
    for inline, _quoted in _inline_tokens(tokens):
        for i in _text_outside_links(inline):
            for match in MENTION.finditer(inline.children[i].content):
                names.update(_candidates(match[1]))
    return names


def sanitize(html):
    """Keep only the subset's tags and attributes, and safe addresses, whatever came in."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=set(LINK_SCHEMES),
        link_rel=LINK_REL,
        strip_comments=True,
    )


def render(body):
    """Render a comment's Markdown to safe HTML; return it with the fans it mentions.

    One query finds the mentioned fans: only existing, active accounts
    become links (usernames match whatever their case).
    """
    env = {}
    tokens = PARSER.parse(body, env)
    for inline, _quoted in _inline_tokens(tokens):
        _drop_refused_links(inline)
    users = _mentionable(_names_in(tokens))
    mentioned = []
    if users:
        for inline, quoted in _inline_tokens(tokens):
            _link_mentions(inline, users, mentioned, quoted)
    html = sanitize(PARSER.renderer.render(tokens, PARSER.options, env))
    unique = list({user.pk: user for user in mentioned}.values())
    return Rendered(html=html, mentioned=unique)


def count_links(body):
    """How many links the comment makes: Markdown links, <autolinks> and plain URLs alike."""
    tokens = PARSER.parse(body, {})
    count = 0
    for inline, _quoted in _inline_tokens(tokens):
        _drop_refused_links(inline)
        count += sum(1 for token in inline.children or [] if token.type == "link_open")
    return count


def spoiler_mask():
    return _("[spoiler]")


def _inline_text(inline, mask):
    """An inline run as plain text: each spoiler as mask, markup gone, link addresses kept."""
    parts, hidden = [], 0
    hrefs = []
    for token in inline.children or []:
        if token.type == "spoiler_open":
            if not hidden:
                parts.append(mask)
            hidden += 1
        elif token.type == "spoiler_close":
            hidden -= 1
        elif hidden:
            continue
        elif token.type in ("text", "code_inline"):
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append("\n")
        elif token.type == "image":
            parts.append(f"![{token.content}]({token.attrGet('src') or ''})")
        elif token.type == "link_open":
            hrefs.append((len(parts), token.attrGet("href") or "", token.markup))
        elif token.type == "link_close" and hrefs:
            start, href, markup = hrefs.pop()
            shown = "".join(parts[start:])
            # A link whose text is its address (a plain URL) says it once.
            if markup != "linkify" and href.removeprefix("mailto:") not in shown:
                parts.append(f" ({href})")
    return "".join(parts)


def plain_text(body):
    """A comment as plain text for mail, feeds and snippets: inline spoilers masked.

    Quotes keep their "> " so a mail never passes quoted words off as the
    author's; list items start with "- ".
    """
    return _as_text(body, spoiler_mask())


def text_outside_spoilers(body):
    """A comment as plain text with its inline spoilers left out: what anyone's search reads.

    The same text as plain_text, but a spoiler leaves a space rather than a
    translated mask, so the words kept are the comment's own in any language.
    """
    return _as_text(body, " ")


def _as_text(body, mask):
    tokens = PARSER.parse(body, {})
    blocks, quotes, item = [], 0, False
    for token in tokens:
        if token.type == "blockquote_open":
            quotes += 1
        elif token.type == "blockquote_close":
            quotes -= 1
        elif token.type == "list_item_open":
            item = True
        elif token.type in ("inline", "code_block", "fence"):
            if token.type == "inline":
                text = _inline_text(token, mask)
            else:
                text = token.content.rstrip("\n")
            if item:
                text, item = f"- {text}", False
            prefix = "> " * quotes
            blocks.append("\n".join(prefix + line for line in text.split("\n")))
    return "\n\n".join(blocks)
