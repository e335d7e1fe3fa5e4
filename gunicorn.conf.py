"""gunicorn settings for `make serve` and the benchmark, from the environment."""

import os

# Threads wait on PostgreSQL and Redis part of the time; processes use the cores.
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
