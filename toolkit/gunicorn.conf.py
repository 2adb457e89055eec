"""gunicorn settings. No log line carries a client address, user agent or referrer.

The access log records time, request line, status, size and duration for staff and
content pages, and nothing at all for the anonymous requester pages (a timestamped line
per request would undo the hour-coarse times kept in the database). gunicorn's own error
log names the client address of malformed requests; PrivateLogger removes it.
Run with: gunicorn -c toolkit/gunicorn.conf.py toolkit.wsgi
"""

import logging
import multiprocessing
import os
import re

from gunicorn.glogging import Logger

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
worker_class = "sync"
preload_app = True
accesslog = "-"
# Time, request line, status, size, duration. Never %(h)s, %(a)s, %(f)s, %(u)s or %({...}i)s.
access_log_format = '%(t)s "%(r)s" %(s)s %(b)s %(M)sms'
errorlog = "-"
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")

ADDRESS = re.compile(
    r"(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])"  # IPv4
    r"|(?<![\w:])(?:[0-9a-f]{0,4}:){2,7}[0-9a-f]{0,4}(?![\w:])",  # IPv6
    re.IGNORECASE,
)
IDENTIFYING_ATOMS = {"h", "a", "f", "u"}


def scrub(text: str) -> str:
    return ADDRESS.sub("[address removed]", text)


class _ScrubAddresses(logging.Filter):
    def filter(self, record):
        record.msg = scrub(record.getMessage())
        record.args = ()
        return True


class PrivateLogger(Logger):
    """gunicorn's logger, minus anything that could say who a client is."""

    def setup(self, cfg):
        super().setup(cfg)
        if not any(isinstance(f, _ScrubAddresses) for f in self.error_log.filters):
            self.error_log.addFilter(_ScrubAddresses())

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Headers ({...}i, {...}o) and environ ({...}e) atoms can carry all of it.
        return {
            key: value
            for key, value in atoms.items()
            if key not in IDENTIFYING_ATOMS and not key.startswith("{")
        }

    def access(self, resp, req, environ, request_time):
        from privacy.routes import is_anonymous_path

        if is_anonymous_path(environ.get("PATH_INFO", "")):
            return
        super().access(resp, req, environ, request_time)


logger_class = PrivateLogger
