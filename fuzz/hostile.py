"""The hostile values and request shapes the fuzzer sends.

Every value is bytes: what reaches the server is a byte string, and the worst
inputs (lone surrogates, invalid UTF-8) cannot even be held in a Python str
that the test client would encode for us.
"""

from urllib.parse import quote_from_bytes


def _u(text):
    # surrogatepass turns a lone surrogate into the bytes a broken client sends.
    return text.encode("utf-8", "surrogatepass")


NUL = [b"\x00", b"a\x00b", b"\x00" * 8, b"1\x00", b"justified\x00"]
SURROGATES = [_u("\ud800"), _u("\udfff"), _u("x\udc80y"), _u("\ud83d")]
INVALID_UTF8 = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\x80abc", b"\xf8\x88\x80\x80\x80", b"\xc0\xaf"]
INVISIBLE = [
    _u("\u202eevil\u202c"),
    _u("\u200f"),
    _u("\ufeff1"),
    _u("\u200b"),
    _u("a\u0301\u0301\u0301"),
    _u("\u3000"),
]
SQL = [
    b"' OR 1=1--",
    b'" OR ""="',
    b"1; DROP TABLE accounts_user;--",
    b"1 UNION SELECT password FROM accounts_user--",
    b"%",
    b"_",
    b"\\",
    b"'",
    b"\\'",
]
TEMPLATE = [
    b"{{ 7*7 }}",
    b"{% debug %}",
    b"{% load static %}{% static 'x' %}",
    b"{{ request.user.password }}",
    b"{% include '/etc/passwd' %}",
    b"${7*7}",
    b"%(name)s %s %d",
    b"{0} {}",
    b"<script>alert(1)</script>",
    b'"><img src=x onerror=alert(1)>',
]
INTEGERS = [
    b"99999999999999999999",
    b"9223372036854775807",
    b"9223372036854775808",
    b"-9223372036854775809",
    b"2147483648",
    b"32768",
    b"65536",
    b"-1",
    b"0",
    b"-0",
    b"+1",
    b" 1 ",
    b"01",
    b"1_000",
    b"0x10",
    b"1e309",
    b"NaN",
    b"inf",
    b"-inf",
]
UNICODE_DIGITS = [_u("\u00b2"), _u("\u0663"), _u("\U0001d7d9"), _u("\uff11\uff12"), _u("\u2167")]
FLOATS = [b"1.5", b"-0.0", b"1e3", b".5", b"1,5"]
BLANKS = [b"", b" ", b"\t", b"\n", b"\r\n", _u("\u00a0")]
LONG = [b"A" * 5001, b"A" * 70_000, _u("\u00e9") * 40_000, b"\x00" * 1000, b"9" * 5000]
DATES = [
    b"99999-01-01",
    b"99999",
    b"2024-13-45",
    b"0000-00-00",
    b"0001-01-01",
    b"9999-12-31 23:59:59",
    b"2024-02-30",
    b"-1-01-01",
    b"1900-01-01 25:61:61",
    b"2024-01-01T00:00:00+99:00",
]
URLS = [
    b"javascript:alert(1)",
    b" javascript:alert(1)",
    b"java\tscript:alert(1)",
    b"//evil.example/",
    b"///evil.example/",
    b"/\\evil.example/",
    b"\\\\evil.example",
    b"https://evil.example/",
    b"http:evil.example",
    b"data:text/html,<script>alert(1)</script>",
    b"foo",
    b"/",
    b"/concerns/x/#frag",
    b"../../etc/passwd",
    b"/%00",
    b"http://[::1",
]
SHAPES = [b"[]", b"{}", b"null", b"true", b"[1,2]", b'{"a":1}', b"None", b"__proto__", b"on"]

CATEGORIES = {
    "nul": NUL,
    "surrogate": SURROGATES,
    "invalid-utf8": INVALID_UTF8,
    "invisible": INVISIBLE,
    "sql": SQL,
    "template": TEMPLATE,
    "integer": INTEGERS,
    "unicode-digit": UNICODE_DIGITS,
    "float": FLOATS,
    "blank": BLANKS,
    "long": LONG,
    "date": DATES,
    "url": URLS,
    "shape": SHAPES,
}
ALL = [value for values in CATEGORIES.values() for value in values]

# Admin ordering takes dotted column numbers; these break that grammar.
ORDERINGS = [
    b"99",
    b"-99",
    b"1.x",
    b"..",
    b"-",
    b"0.-0",
    b"1.1.1.1",
    b"-0",
    b"999999999999999999999",
]
# Values that pass as paths in URLs (admin object ids, slugs, pks).
PATH_VALUES = [
    b"0",
    b"-1",
    b"99999999999999999999",
    b"9223372036854775808",
    b"abc",
    b"1.5",
    b"\x00",
    _u("\u0663"),
    _u("\u00b2"),
    _u("\ud800"),
    b"\xff",
    b"%00",
    b"..",
    b"a" * 300,
    b"' OR 1=1--",
    b"{{ 7*7 }}",
]
HTTP_METHODS = ["PUT", "PATCH", "DELETE", "OPTIONS", "HEAD", "TRACE", "QUERY", "PROPFIND"]
HOSTS = [
    b"evil.example",
    b"localhost:99999",
    b"localhost\x00",
    b"[::1",
    b"",
    b"a" * 300,
    b"localhost:abc",
]
LANGUAGES = [
    b"ko",
    b"ko-KR,ko;q=0.9",
    b"xx",
    b"*;q=abc",
    b"\x00",
    b"en;q=99999999999999999999",
    b"a" * 500,
]


def pick(rng, values=ALL):
    return rng.choice(values)


def encode_pairs(pairs):
    """Form-encode (name, value) byte pairs exactly, percent-escaping every byte."""
    return "&".join(
        f"{quote_from_bytes(name, safe='')}={quote_from_bytes(value, safe='')}"
        for name, value in pairs
    )


def multipart(pairs, boundary="fuzzboundary7MA4YWxkTrZu0gW", *, filename=None):
    """A multipart/form-data body of the pairs, raw bytes and all."""
    parts = []
    for name, value in pairs:
        disposition = b'form-data; name="' + name + b'"'
        if filename is not None:
            disposition += b'; filename="' + filename + b'"'
        parts.append(
            b"--"
            + boundary.encode()
            + b"\r\nContent-Disposition: "
            + disposition
            + b"\r\n\r\n"
            + value
            + b"\r\n"
        )
    return b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
