"""The privacy layer: what the toolkit promises an anonymous requester, and where it is kept.

It depends on Django and cryptography only; programs, cms and api import it, never the
reverse. Settings it reads: SECRET_KEY (and SECRET_KEY_FALLBACKS), TOOLKIT_DATA_KEY,
TOOLKIT_RATE_LIMITS, TOOLKIT_RATE_LIMIT_STORE and TOOLKIT_TRUSTED_PROXIES.

- No client address, user agent or forwarding header reaches a view, a log line or an
  error report (middleware.AnonymityMiddleware, the first middleware, removes them from
  every request after taking the rate-limit key). On the anonymous requester routes, the
  views marked with @anonymous_route (routes.py; the middleware resolves the path to find
  the mark before any view runs, so a renamed route keeps it), the referrer and every
  cookie are removed too, no cookie is set, and responses say Cache-Control: no-store and
  Referrer-Policy: no-referrer. gunicorn writes no access line for those routes
  (toolkit/gunicorn.conf.py), and error reports hide the address, user agent, referrer,
  cookies and every form value, and on those routes every traceback variable as well
  (reporting.PrivacyExceptionReporterFilter).
- Free text (request text, messages, notes, contact details, aliases) is encrypted at rest
  with Fernet (crypto.EncryptedTextField). TOOLKIT_DATA_KEY lists keys newest first: the
  newest encrypts, every key decrypts, and `manage.py rotate_data_key` re-encrypts stored
  text under the newest key so an old key can be retired.
- Receipt codes are 140 random bits from `secrets` (receipts.generate: 28 Crockford base32
  characters). Only an HMAC-SHA256 of a code is stored, under a key derived from
  SECRET_KEY with HKDF, so the database alone cannot confirm a code; codes still match
  after SECRET_KEY is rotated into SECRET_KEY_FALLBACKS. A code's repr is hidden.
- Rate limits are counted in the RateCount table (or a Redis/memcached cache), keyed by an
  HMAC of the client's address (an IPv6 client's /64) under a key that changes every day
  (ratelimit.client_key), so no count is kept under an address and one day's keys cannot be
  linked to the next. Counts expire when their fixed window ends, not at a time taken from
  a request. Callers pass a
  program's own limit in (client_limit); the rest comes from TOOLKIT_RATE_LIMITS.
- Anonymous forms carry a signed, expiring, single-use token instead of a CSRF cookie
  (formtokens); the cache holds only used nonces, expiring on the hour.
- The times of a requester's own actions (sending the request, their messages, the last
  look-up, withdrawing) and case events are stored to the hour (timeutils.coarse_now), so
  they cannot point at a shift or a break. Staff actions keep exact times.
"""

from .routes import anonymous_form, anonymous_route, is_anonymous_path, is_anonymous_view

__all__ = ["anonymous_form", "anonymous_route", "is_anonymous_path", "is_anonymous_view"]
