"""gunicorn settings for `make serve` and the benchmark, from the environment."""

import os

# Threads wait on PostgreSQL and Redis part of the time; processes use the cores. Without Redis each
# process would keep its own cached pages and register version, and miss the others' changes.
# The signing servers run one thread per process (GUNICORN_THREADS=1, README: "Deploying on several
# hosts"): an endorsement is mostly Python, and threads taking turns on the interpreter's lock cost
# CPU of their own (in the benchmark's burst, 7.6-8.4 ms per endorsement with 4 threads, 5.4-7.5 with 1).
workers = int(os.environ.get("WEB_CONCURRENCY", "2" if os.environ.get("REDIS_URL") else "1"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
# Each thread keeps its database connection (checked before reuse, alliance/settings.py): opening one
# per request cost more than most pages. CONN_MAX_AGE=0 opens one per request; DATABASE_POOL_SIZE
# bounds them with a pool instead (whose wait for a connection, 10 s, a database outage then costs).
os.environ.setdefault("CONN_MAX_AGE", "600")
worker_class = "gthread"
# The proxy keeps connections to the app servers open between requests (deploy/nginx.conf closes
# an idle one after 60 s). The app server must not close it first: a request the proxy sends on a
# connection the server has just closed gets 502, and a POST (an endorsement) is not retried.
keepalive = 75
