"""Development mail: printed in `make run`'s output as a person would read it.

Django's console backend prints the wire format: text as quoted-printable
(links broken over lines with `=`) or, for Korean, base64. This prints the
headers decoded and the plain-text part as written, so a link can be
copied as printed.
"""

from django.core.mail.backends import console

SHOWN_HEADERS = ("From", "To", "Subject", "Date", "List-Unsubscribe", "List-Unsubscribe-Post")


class EmailBackend(console.EmailBackend):
    def write_message(self, message):
        wire = message.message()
        headers = [f"{name}: {wire[name]}" for name in SHOWN_HEADERS if wire[name] is not None]
        parts = ["text"] + [alt.mimetype for alt in getattr(message, "alternatives", [])]
        headers.append(f"Parts: {', '.join(parts)}")
        self.stream.write("\n".join(headers) + "\n\n" + message.body.rstrip() + "\n")
        self.stream.write("-" * 79 + "\n")
