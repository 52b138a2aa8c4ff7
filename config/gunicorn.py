"""gunicorn settings: `gunicorn -c config/gunicorn.py config.wsgi:application`.

Threads share a process's GIL, so a CPU-bound preview render holds up the
other threads of its worker: a few threads per process, processes for the
cores. Each worker warms the renderer before it takes requests, so the
first previews do not pay for loading fonts."""

import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = 30
graceful_timeout = 30
keepalive = 5


def post_worker_init(worker: object) -> None:
    from rendering import adapters

    adapters.warm_up()
