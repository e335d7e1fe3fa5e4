"""gunicorn settings for `make serve` and the benchmark, from the environment."""

import os

# Threads wait on PostgreSQL and Redis part of the time; processes use the cores. Without Redis each
# process would keep its own cached pages and register version, and miss the others' changes.
workers = int(os.environ.get("WEB_CONCURRENCY", "2" if os.environ.get("REDIS_URL") else "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Each process keeps its PostgreSQL connections in a pool as large as its threads (alliance/settings.py):
# opening one per request costs more than most pages. DATABASE_POOL_SIZE=0 opens one per request.
os.environ.setdefault("DATABASE_POOL_SIZE", str(threads))
worker_class = "gthread"
# The proxy keeps connections to the app servers open between requests (deploy/nginx.conf closes
# an idle one after 60 s). The app server must not close it first: a request the proxy sends on a
# connection the server has just closed gets 502, and a POST (an endorsement) is not retried.
keepalive = 75
