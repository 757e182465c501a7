"""One JSON line per request, tied to nginx's by a request id.

nginx sends `X-Request-ID` ($request_id, deploy/nginx/aouad.conf); a request
without one (a direct client, `make run`) gets its own. The id goes back in
the response and into every line, with the client's address as
accounts.addresses reads it, the status and the time taken.
"""

import datetime
import json
import logging
import re
import time
import uuid

from accounts.addresses import client_address

logger = logging.getLogger("aouad.requests")

# Ours to log: an id a client sends must not be able to forge log lines.
REQUEST_ID = re.compile(r"[A-Za-z0-9._-]{1,64}")
FIELDS = ("request_id", "method", "path", "status", "duration_ms", "client", "user")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object on one line, with the request's fields when it has them."""

    def format(self, record):
        line = {
            "time": datetime.datetime.fromtimestamp(record.created, datetime.UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        line.update({name: getattr(record, name) for name in FIELDS if hasattr(record, name)})
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, ensure_ascii=False, default=str)


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.headers.get("X-Request-ID", "")
        request.request_id = sent if REQUEST_ID.fullmatch(sent) else uuid.uuid4().hex
        started = time.monotonic()
        response = self.get_response(request)
        response["X-Request-ID"] = request.request_id
        if logger.isEnabledFor(logging.INFO):
            self.log(request, response, time.monotonic() - started)
        return response

    @staticmethod
    def log(request, response, seconds):
        # Only a user the request has already read: logging must never be
        # the query that fails when the database is down.
        user = getattr(request, "_cached_user", None)
        fields = {
            "request_id": request.request_id,
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "duration_ms": round(seconds * 1000, 1),
            "client": client_address(request),
            "user": user.pk if user is not None and user.is_authenticated else None,
        }
        logger.info("%s %s %s", request.method, request.path, response.status_code, extra=fields)
