# gunicorn settings for the example app with shared-memory cluster tending.
#
#   AEROSPIKE_HOSTS=127.0.0.1:3000 AEROSPIKE_SHM_KEY=0xA7000001 \
#       gunicorn -c examples/gunicorn/gunicorn.conf.py --chdir examples/gunicorn app:application
#
# preload_app = True: the app module is imported once in the master before the workers fork (a bad config fails
# before any worker starts, and workers share the imported code copy-on-write). The module builds the client but
# does not connect it: post_fork below connects it in each worker, right after the fork. Every worker joins the
# tender election of the shm segment; exactly one tends the cluster and the others read its map from shared
# memory. When the tending worker dies (even by SIGKILL) another takes over within a tend interval or two.
import importlib
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
worker_class = "sync"
preload_app = True
timeout = 30
graceful_timeout = 5
accesslog = None
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "warning")
control_socket_disable = True  # gunicorn >= 25 opens a control socket by default; older versions ignore this


def _app_module(server):
    # The module gunicorn preloaded, e.g. "app" from "app:application".
    return importlib.import_module(server.app.app_uri.split(":")[0])


def post_fork(server, worker):
    # Runs in the new worker (its pid is os.getpid()). With preload_app the app module is already imported, so
    # this connects the inherited, never-connected client here: sockets, pools and the tend thread belong to
    # this worker alone.
    app = _app_module(server)
    app.connect_client()
    server.log.info("worker %s connected (shm key %s)", worker.pid, app.client.shm_key())


def worker_exit(server, worker):
    # A clean exit (graceful stop, max_requests) leaves the segment; the last process to leave removes it.
    # A SIGKILLed worker runs nothing: its tender lock dies with it and another worker takes over.
    _app_module(server).client.close()
