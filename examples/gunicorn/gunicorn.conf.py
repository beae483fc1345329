# gunicorn settings for the example app with shared-memory cluster tending.
#
# preload_app = True: the app module (and its aerospike client) is imported once in the master before the
# workers fork. The client survives fork: each worker drops what it inherited, opens its own sockets, and joins
# the tender election; exactly one process tends the cluster and the others read its map from shared memory.
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 5
accesslog = None
loglevel = "warning"


def post_fork(server, worker):
    # Nothing to do for aerospike: the client rebuilds itself lazily in the child. Kept as the place where an
    # app would, for instance, choose a per-worker log file.
    server.log.debug("worker %s forked", worker.pid)
