"""gunicorn for the site, behind nginx (deploy/nginx/aouad.conf).

Sync workers are right here because nginx buffers whole requests and whole
responses: a slow client (or a slowloris) holds a connection to nginx,
never a worker. Without nginx in front, sync workers are the wrong choice.
"""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
# A request that takes longer is a bug or a stuck database: free the worker.
timeout = 30
graceful_timeout = 30
keepalive = 5
# Recycle workers now and then, so a slow leak never grows unbounded.
max_requests = 2000
max_requests_jitter = 200
# gunicorn believes X-Forwarded-Proto only from these; nginx on this machine.
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
# The site logs each request itself (aouad.logs: JSON, with nginx's request
# id and the real client), so gunicorn's own access log would only repeat it.
accesslog = None
# gunicorn's control socket defaults to one path per user (~/.gunicorn), which
# two nodes on one machine would share; nothing here uses it.
control_socket_disable = True
errorlog = "-"
# Load the app once, in the master: a broken deploy fails at start, not per worker.
preload_app = True
