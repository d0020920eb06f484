"""gunicorn settings for Kindred's web process: `gunicorn -c config/deploy/gunicorn.conf.py config.wsgi`.

Everything an operator tunes comes from the environment: PORT or GUNICORN_BIND, WEB_CONCURRENCY
(workers), GUNICORN_THREADS, GUNICORN_TIMEOUT (seconds), GUNICORN_MAX_REQUESTS.
"""

import multiprocessing
import os

# Loopback by default: only the proxy on this host may reach gunicorn, since a client that reached it
# directly could forge X-Forwarded-For. The Docker image binds all of the container's addresses
# (GUNICORN_BIND in the Dockerfile): a container is reached through its proxy's network only.
bind = os.environ.get("GUNICORN_BIND") or f"127.0.0.1:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY") or min(2 * multiprocessing.cpu_count() + 1, 8))
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = timeout
keepalive = 5  # behind a proxy that reuses connections
# Recycle workers now and then so a slow leak cannot grow without bound; jitter avoids all at once.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# One line per request on standard output, with the proxy's client address and the request id.
accesslog = "-"
errorlog = "-"
# %(t)s: gunicorn's time; the proxy's address first, then what X-Forwarded-For says (its first entries
# are the client's word: config.net.client_ip decides which one to believe).
access_log_format = (
    '%(t)s %(h)s "%(r)s" %(s)s %(b)s %(M)sms request=%({x-request-id}o)s forwarded="%({x-forwarded-for}i)s" "%(a)s"'
)
# Behind nginx on the same host or network: believe its X-Forwarded-* only from these addresses.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")
proxy_allow_ips = forwarded_allow_ips
# Heartbeat files in memory, so a read-only or slow disk cannot stall the workers.
_SHM = "/dev/shm"  # noqa: S108 (gunicorn's own advice for containers)
worker_tmp_dir = os.environ.get("GUNICORN_WORKER_TMP_DIR") or (_SHM if os.path.isdir(_SHM) else None)
preload_app = False
