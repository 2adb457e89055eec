"""Each privacy guarantee of the requester pages, proven by what an observer could find."""

import logging
import pickle
import re
import runpy
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.contrib.sessions.models import Session
from django.core import mail
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.core.management import call_command
from django.db import connection
from django.test import Client, RequestFactory
from django.urls import reverse
from django.utils import timezone
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter

from privacy import ratelimit, receipts
from privacy.models import RateCount
from programs.models import Case, CaseAccess, CaseEvent, ContactType, Message
from programs.services import cases, intake
from tests.programs.test_intake_flow import (
    code_in,
    look_up,
    new_request,
    open_form,
    reply,
    request_data,
    request_url,
    send_request,
    status_url,
    take_on,
    text,
)

pytestmark = pytest.mark.django_db

IP = "203.0.113.77"
FORWARDED_IP = "198.51.100.23"
USER_AGENT = "CanaryBrowser/7.7 (canary-ua-5f1e)"
REFERRER = "https://canary-referrer.example/inbox?ref=ref-canary-88"
COOKIE = "canary-cookie-9"
IDENTIFYING = {
    "address": IP,
    "forwarded address": FORWARDED_IP,
    "user agent": "canary-ua-5f1e",
    "referrer": "canary-referrer",
    "referrer query": "ref-canary-88",
}
TEXTS = {
    "message": "canary-message-3d9b about the night shift",
    "alias": "canary-alias-71",
    "contact": "canary-contact-0455",
    "reply": "canary-reply-c0ffee",
    "staff reply": "canary-staff-reply-a11",
    "note": "canary-note-feed",
}
CANARY_HEADERS = {
    "REMOTE_ADDR": IP,
    "HTTP_X_FORWARDED_FOR": FORWARDED_IP,
    "HTTP_X_REAL_IP": IP,
    "HTTP_USER_AGENT": USER_AGENT,
    "HTTP_REFERER": REFERRER,
}


@pytest.fixture
def every_log(caplog):
    """Every logger at DEBUG into caplog, SQL included, whatever LOGGING says."""
    loggers = [logging.getLogger()] + [
        logger
        for logger in logging.Logger.manager.loggerDict.values()
        if isinstance(logger, logging.Logger)
    ]
    saved = [(logger, logger.level, logger.disabled) for logger in loggers]
    for logger in loggers:
        logger.setLevel(logging.DEBUG)
        logger.disabled = False
        if not logger.propagate:
            logger.addHandler(caplog.handler)
    caplog.handler.setLevel(logging.DEBUG)
    forced = connection.force_debug_cursor
    connection.force_debug_cursor = True
    yield caplog
    connection.force_debug_cursor = forced
    for logger, level, disabled in saved:
        logger.setLevel(level)
        logger.disabled = disabled
        if caplog.handler in logger.handlers:
            logger.removeHandler(caplog.handler)


def logged_text(caplog) -> str:
    formatter = logging.Formatter()
    return "\n".join(formatter.format(r) + repr(vars(r)) for r in caplog.records)


def dump_database() -> str:
    """Every value in every column of every table, read through the connection."""
    values = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f"SELECT * FROM {connection.ops.quote_name(table)}")  # noqa: S608
            for row in cursor.fetchall():
                for value in row:
                    if isinstance(value, memoryview | bytes):
                        value = bytes(value).decode("latin-1")
                    values.append(str(value))
    return "\n".join(values)


def dump_cache() -> str:
    """Every key and value in the (local memory) test cache."""
    backend = caches["default"]
    assert isinstance(backend, LocMemCache)
    parts = []
    for key, value in backend._cache.items():
        parts.append(key)
        parts.append(repr(value))
        parts.append(repr(pickle.loads(value)))  # noqa: S301 - our own cache
    return "\n".join(parts)


def found_in(haystack: str, needles: dict) -> list[str]:
    return [name for name, needle in needles.items() if needle.lower() in haystack.lower()]


# No address, user agent, referrer, cookie or session.


def _walk_requester_pages(client, program, extra) -> list:
    """Every requester page once; returns the responses."""
    responses = [client.get(request_url(program), **extra)]
    responses.append(
        client.post(request_url(program), {"step": "limits", "acknowledged": "on"}, **extra)
    )
    token = re.search(r'name="form_token" value="([^"]+)"', responses[-1].content.decode())[1]
    responses.append(client.post(request_url(program), request_data(token), **extra))
    code = code_in(responses[-1])
    responses.append(
        client.post(
            reverse("programs:receipt_download", args=[program.slug]),
            {"receipt_code": code},
            **extra,
        )
    )
    responses.append(client.get(status_url(program), {"kept": "1"}, **extra))
    responses.append(look_up(client, program, code, extra=extra))
    responses.append(reply(client, program, code, "Thanks.", extra=extra))
    responses.append(look_up(client, program, "NOT-A-CODE", extra=extra))
    responses.append(look_up(client, program, code, extra=extra, action="withdraw-confirm"))
    responses.append(look_up(client, program, code, extra=extra, action="withdraw"))
    return responses


def test_requester_pages_set_no_cookie_and_create_no_session(client, program):
    responses = _walk_requester_pages(client, program, CANARY_HEADERS)
    assert [r.status_code for r in responses] == [200, 200, 200, 200, 200, 200, 200, 404, 200, 200]
    for response in responses:
        assert "Set-Cookie" not in response.headers
        assert not response.cookies
    assert not client.cookies
    assert Session.objects.count() == 0


def test_a_signed_in_colleague_is_a_stranger_on_the_requester_pages(client, program, supporter):
    client.force_login(supporter)
    session_cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    page = client.get(request_url(program))
    assert "My work" not in text(page)
    assert "Set-Cookie" not in page.headers
    code = code_in(send_request(client, program))
    assert "My work" not in text(look_up(client, program, code))
    # Their own session is untouched and still works on staff pages.
    assert client.cookies[settings.SESSION_COOKIE_NAME].value == session_cookie
    assert Session.objects.count() == 1
    assert client.get(reverse("programs:home")).status_code == 200


def test_requester_pages_send_privacy_headers_and_allow_no_third_party_source(client, program):
    for response in _walk_requester_pages(client, program, {}):
        assert response["Referrer-Policy"] == "no-referrer"
        assert "no-store" in response["Cache-Control"]
        assert response["X-Frame-Options"] == "DENY"
        if response["Content-Type"].startswith("text/html"):
            policy = response["Content-Security-Policy"]
            directives = dict(d.strip().split(" ", 1) for d in policy.split(";") if d.strip())
            assert directives["default-src"] == "'self'"
            sources = {s for value in directives.values() for s in value.split()}
            assert sources <= {"'self'", "'none'", "data:"}


def test_pages_load_nothing_from_other_sites(client, program):
    for response in _walk_requester_pages(client, program, {}):
        if not response["Content-Type"].startswith("text/html"):
            continue
        html = response.content.decode()
        for url in re.findall(
            r'<(?:script|link|img|iframe|source)[^>]*(?:src|href)="([^"]+)"', html
        ):
            assert url.startswith("/"), url


def _canary_journey(client, program, coordinator, supporter, extra):
    assert client.get(request_url(program), **extra).status_code == 200
    token = open_form(client, program, **extra)
    response = client.post(
        request_url(program),
        request_data(
            token,
            message=TEXTS["message"],
            alias=TEXTS["alias"],
            channel="phone",
            contact_detail=TEXTS["contact"],
        ),
        **extra,
    )
    assert response.status_code == 200
    code = code_in(response)
    case = Case.objects.get()
    take_on(case, coordinator, supporter)
    cases.staff_reply(case=case, actor=supporter, body=TEXTS["staff reply"])
    cases.note_add(
        case=case,
        actor=supporter,
        contact_date=timezone.localdate(),
        contact_type=ContactType.PHONE,
        text=TEXTS["note"],
    )
    assert TEXTS["staff reply"] in text(look_up(client, program, code, extra=extra))
    assert reply(client, program, code, TEXTS["reply"], extra=extra).status_code == 200
    assert look_up(client, program, "ABCD-" * 6 + "EFGH", extra=extra).status_code == 404
    client.post(
        reverse("programs:receipt_download", args=[program.slug]), {"receipt_code": code}, **extra
    )
    return code, case


@pytest.mark.parametrize("proxies", [0, 1])
def test_canary_request_leaves_no_trace_in_database_logs_cache_or_mail(
    client,
    program,
    coordinator,
    supporter,
    every_log,
    settings,
    proxies,
    django_capture_on_commit_callbacks,
):
    settings.TOOLKIT_TRUSTED_PROXIES = proxies
    extra = CANARY_HEADERS
    with django_capture_on_commit_callbacks(execute=True):
        code, case = _canary_journey(client, program, coordinator, supporter, extra)

    database = dump_database()
    # The dump really holds this request: its id and its encrypted text are there.
    assert case.pk.hex in database.replace("-", "")
    assert database.count("gAAAAA") >= 6
    secrets_of_the_code = {"code": code, "bare code": code.replace("-", "")}
    assert "rl:lookup:c:" in database  # the rate limiter did count, in the database
    assert "form-used:" in database  # and the used form tokens were recorded there
    assert found_in(database, IDENTIFYING | TEXTS | secrets_of_the_code) == []

    logs = logged_text(every_log)
    assert "programs_case" in logs  # SQL was logged, so the search means something
    assert found_in(logs, IDENTIFYING | TEXTS | secrets_of_the_code) == []

    cached = dump_cache()
    assert found_in(cached, IDENTIFYING | TEXTS | secrets_of_the_code) == []

    sent = "\n".join(f"{m.subject}\n{m.body}\n{m.to}" for m in mail.outbox)
    assert mail.outbox  # coordinators and the supporter were told something arrived
    assert found_in(sent, IDENTIFYING | TEXTS | secrets_of_the_code) == []


# Encryption at rest is proven in test_crypto.py; coarse times here.


def test_stored_times_of_a_request_say_only_the_hour(
    client, program, coordinator, supporter, django_capture_on_commit_callbacks
):
    program.auto_assign = True  # the automatic offer is written at intake too
    program.save()
    with (
        time_machine.travel(datetime(2026, 3, 4, 14, 37, 52, 123456, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        code, case = new_request(client, program, in_danger="on")
        look_up(client, program, code)
        reply(client, program, code, "A reply at 14:37.")
    with time_machine.travel(datetime(2026, 3, 5, 9, 12, 5, tzinfo=UTC), tick=False):
        look_up(client, program, code, action="withdraw")
    case.refresh_from_db()
    times = [
        case.created_at,
        case.requester_seen_at,
        case.closed_at,
        *CaseAccess.objects.filter(case_id=case.pk).values_list("at", flat=True),
        *CaseEvent.objects.filter(case=case).values_list("created_at", flat=True),
    ]
    kinds = set(CaseEvent.objects.filter(case=case).values_list("kind", flat=True))
    assert {CaseEvent.Kind.FLAGGED, CaseEvent.Kind.OFFERED, CaseEvent.Kind.WITHDRAWN} <= kinds
    assert len(times) >= 8
    assert {(t.minute, t.second, t.microsecond) for t in times} == {(0, 0, 0)}
    assert case.created_at.hour == 14


def test_no_match_event_at_intake_says_only_the_hour(program, django_capture_on_commit_callbacks):
    with (
        time_machine.travel(datetime(2026, 3, 4, 14, 37, 52, tzinfo=UTC), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        submission = intake.case_submit(program=program, message="Anyone there?")
    event = CaseEvent.objects.get(case=submission.case, kind=CaseEvent.Kind.NO_MATCH)
    assert (event.created_at.hour, event.created_at.minute, event.created_at.second) == (14, 0, 0)


def test_requester_messages_are_stamped_to_the_hour(program):
    with time_machine.travel(datetime(2026, 3, 4, 14, 37, 52, tzinfo=UTC), tick=False):
        submission = intake.case_submit(program=program, message="Hello")
        intake.requester_reply(case=submission.case, body="Again")
    stamps = Message.objects.filter(case=submission.case).values_list("created_at", flat=True)
    assert [t.minute for t in stamps] == [0, 0]


# Rate limits.


@pytest.fixture
def tight_limits(settings, steady_clock):
    settings.TOOLKIT_RATE_LIMITS = {
        "intake": {"client": (2, 3600), "global": (100, 3600)},
        "lookup": {"client": (3, 600), "global": (100, 600)},
    }
    return settings.TOOLKIT_RATE_LIMITS


def _from(address):
    return {"REMOTE_ADDR": address}


def test_too_many_requests_from_one_connection_get_a_calm_429_and_keep_the_answers(
    client, program, tight_limits
):
    for _ in range(2):
        assert send_request(client, program, extra=_from(IP)).status_code == 200
    limited = send_request(client, program, extra=_from(IP), message="Please keep this.")
    assert limited.status_code == 429
    page = text(limited)
    assert "You can send them again in about" in page
    assert "Please keep this." in page
    assert Case.objects.count() == 2
    assert send_request(client, program, extra=_from(FORWARDED_IP)).status_code == 200


def test_a_global_cap_on_requests_holds_across_connections(client, program, tight_limits):
    tight_limits["intake"] = {"client": (10, 3600), "global": (3, 3600)}
    for n in range(3):
        assert send_request(client, program, extra=_from(f"192.0.2.{n}")).status_code == 200
    assert send_request(client, program, extra=_from("192.0.2.99")).status_code == 429
    assert Case.objects.count() == 3


def test_failed_code_lookups_are_limited_and_then_even_a_good_code_waits(
    client, program, tight_limits
):
    code, _ = new_request(client, program)
    for _ in range(3):
        assert look_up(client, program, "WRONG", extra=_from(IP)).status_code == 404
    limited = look_up(client, program, code, extra=_from(IP))
    assert limited.status_code == 429
    assert "Please wait a little" in text(limited)
    assert "Rough week" not in text(limited)
    # Someone else is not affected, and the window passes.
    assert look_up(client, program, code, extra=_from(FORWARDED_IP)).status_code == 200
    with time_machine.travel(timezone.now() + timedelta(minutes=11)):
        assert look_up(client, program, code, extra=_from(IP)).status_code == 200


def test_a_requester_who_types_the_right_code_is_never_counted(client, program, tight_limits):
    code, _ = new_request(client, program)
    for _ in range(10):
        assert look_up(client, program, code, extra=_from(IP)).status_code == 200


def test_a_global_cap_on_failed_lookups_holds_across_connections(client, program, tight_limits):
    tight_limits["lookup"] = {"client": (10, 600), "global": (4, 600)}
    code, _ = new_request(client, program)
    for n in range(4):
        look_up(client, program, "WRONG", extra=_from(f"192.0.2.{n}"))
    assert look_up(client, program, code, extra=_from("192.0.2.200")).status_code == 429


def test_rate_limit_keys_are_daily_hmacs_never_the_address(client, program, tight_limits):
    send_request(client, program, extra=_from(IP))
    look_up(client, program, "WRONG", extra=_from(IP))
    look_up(client, program, "WRONG", extra=_from("2001:db8:1:2::77"))
    cached = dump_cache() + "\n".join(RateCount.objects.values_list("key", flat=True))
    assert IP not in cached and "2001:db8" not in cached.lower()
    key = ratelimit.client_key(IP)
    assert re.fullmatch(r"[0-9a-f]{32}", key)
    assert f"rl:lookup:c:{key}:" in cached
    assert ratelimit.client_key(IP) == key
    with time_machine.travel(timezone.now() + timedelta(days=1)):
        assert ratelimit.client_key(IP) != key


@pytest.fixture
def database_cache(settings):
    """The cache production uses by default: a table in the database."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "toolkit_test_cache",
        }
    }
    call_command("createcachetable", verbosity=0)
    return "toolkit_test_cache"


def test_limits_hold_for_the_whole_window_and_expire_on_its_boundary_in_the_database(
    client, program, tight_limits, database_cache
):
    tight_limits["lookup"] = {"client": (3, 3600), "global": (100, 3600)}
    with time_machine.travel(datetime(2026, 3, 4, 14, 7, 23, tzinfo=UTC), tick=False):
        code, _ = new_request(client, program)
        for _ in range(3):
            look_up(client, program, "WRONG", extra=_from(IP))
    with time_machine.travel(datetime(2026, 3, 4, 14, 31, 9, tzinfo=UTC), tick=False):
        assert look_up(client, program, code, extra=_from(IP)).status_code == 429
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT cache_key, expires FROM {database_cache}")  # noqa: S608
            rows = cursor.fetchall()
    rows += list(RateCount.objects.values_list("key", "expires"))
    assert any(key.startswith("rl:lookup:c:") for key, _ in rows)
    assert any(key.startswith("form-used:") for key, _ in rows)
    for key, expires in rows:
        if isinstance(expires, str):
            expires = datetime.fromisoformat(expires)
        assert (expires.minute, expires.second) in {(0, 0), (0, 5)}, (key, expires)
    with time_machine.travel(datetime(2026, 3, 4, 15, 0, 6, tzinfo=UTC), tick=False):
        assert look_up(client, program, code, extra=_from(IP)).status_code == 200


def test_ipv6_clients_are_counted_by_their_network(program):
    same = ratelimit.client_key("2001:db8:1:2::77")
    assert ratelimit.client_key("2001:db8:1:2:aaaa:bbbb:cccc:dddd") == same
    assert ratelimit.client_key("2001:db8:1:3::77") != same
    assert ratelimit.client_key("::ffff:203.0.113.77") == ratelimit.client_key(IP)


def test_the_client_address_comes_from_the_trusted_proxy_hop(rf, settings):
    from privacy.middleware import client_address

    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": f"spoofed, {FORWARDED_IP}"}
    settings.TOOLKIT_TRUSTED_PROXIES = 0
    assert client_address(meta) == "10.0.0.1"
    settings.TOOLKIT_TRUSTED_PROXIES = 1
    assert client_address(meta) == FORWARDED_IP


# Error reports and the 500 page.


def _crash(*args, **kwargs):
    raise RuntimeError("the database went away")


def test_a_server_error_on_an_intake_page_shows_the_friendly_page(program, monkeypatch):
    monkeypatch.setattr(intake, "case_submit", _crash)
    client = Client(raise_request_exception=False)
    token = open_form(client, program)
    response = client.post(
        request_url(program), request_data(token, message=TEXTS["message"]), **CANARY_HEADERS
    )
    assert response.status_code == 500
    page = text(response)
    assert "Something went wrong on our side" in page
    assert "it was not saved: please send it again" in page
    assert "Traceback" not in page and "RuntimeError" not in page
    assert TEXTS["message"] not in page


def test_error_reports_from_an_intake_page_carry_no_address_agent_or_text(
    program, monkeypatch, every_log, settings
):
    settings.ADMINS = [("Ops", "ops@example.org")]
    monkeypatch.setattr(intake, "case_submit", _crash)
    client = Client(raise_request_exception=False)
    token = open_form(client, program)
    client.post(
        request_url(program),
        request_data(token, message=TEXTS["message"], alias=TEXTS["alias"]),
        **CANARY_HEADERS,
    )
    [record] = [r for r in every_log.records if r.name == "django.request" and r.exc_info]
    reporter = ExceptionReporter(record.request, *record.exc_info)
    report = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "RuntimeError" in report  # the report is real
    assert found_in(report, IDENTIFYING | {"message": TEXTS["message"]}) == []
    # The mail an admin would get, built the way Django builds it.
    AdminEmailHandler(include_html=True).emit(record)
    [sent] = mail.outbox[-1:]
    body = sent.body + "".join(str(a[0]) for a in sent.alternatives)
    assert "RuntimeError" in body
    assert found_in(body, IDENTIFYING | {"message": TEXTS["message"]}) == []


def test_the_report_filter_hides_who_asked_even_if_the_middleware_was_bypassed():
    request = RequestFactory().post(
        "/p/city-fire/request/",
        {"message": TEXTS["message"], "alias": TEXTS["alias"]},
        **CANARY_HEADERS,
        HTTP_COOKIE=f"sessionid={COOKIE}",
    )
    request.anonymous_requester = True

    def submit(message):
        note = message  # noqa: F841 - a local the report would show
        raise ValueError("boom")

    try:
        submit(TEXTS["message"])
    except ValueError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    report = reporter.get_traceback_text() + reporter.get_traceback_html()
    assert "ValueError" in report
    leaks = IDENTIFYING | {"message": TEXTS["message"], "cookie": COOKIE}
    assert found_in(report, leaks) == []


def test_staff_page_reports_hide_address_agent_and_form_fields_too():
    request = RequestFactory().post("/caseload/", {"text": TEXTS["note"]}, **CANARY_HEADERS)
    try:
        raise ValueError("boom")
    except ValueError:
        reporter = ExceptionReporter(request, *sys.exc_info())
    report = reporter.get_traceback_text()
    assert "ValueError" in report
    assert found_in(report, IDENTIFYING | {"note": TEXTS["note"]}) == []


# The shipped gunicorn configuration.

GUNICORN_CONF = Path(settings.BASE_DIR) / "toolkit" / "gunicorn.conf.py"


@pytest.fixture
def gunicorn_logger():
    from gunicorn.config import Config

    namespace = runpy.run_path(str(GUNICORN_CONF))
    config = Config()
    for name in ("accesslog", "errorlog", "access_log_format", "logger_class"):
        config.set(name, namespace[name])
    logger = config.logger_class(config)
    records = []

    class Keep(logging.Handler):
        def emit(self, record):
            records.append(record)

    keep = Keep()
    for log in (logger.access_log, logger.error_log):
        log.addHandler(keep)
    yield namespace, logger, records
    for log in (logger.access_log, logger.error_log):
        log.removeHandler(keep)


class _Response:
    status = "200 OK"
    sent = 1234
    headers = [("Content-Type", "text/html")]


class _Request:
    headers = [("USER-AGENT", USER_AGENT), ("REFERER", REFERRER), ("X-FORWARDED-FOR", IP)]


def _environ(path):
    return {
        "REQUEST_METHOD": "POST",
        "RAW_URI": path,
        "PATH_INFO": path,
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": IP,
        "HTTP_USER_AGENT": USER_AGENT,
        "HTTP_REFERER": REFERRER,
    }


def test_gunicorn_logs_no_client_address_agent_or_referrer(gunicorn_logger):
    namespace, logger, records = gunicorn_logger
    for atom in ("%(h)s", "%(a)s", "%(f)s", "%(u)s", "}i", "}e"):
        assert atom not in namespace["access_log_format"]
    # Even a format that asked for them would get nothing.
    atoms = logger.atoms(_Response(), _Request(), _environ("/me/"), timedelta(seconds=1))
    assert found_in(repr(atoms), IDENTIFYING) == []

    logger.access(_Response(), _Request(), _environ("/me/"), timedelta(seconds=1))
    [line] = [r.getMessage() for r in records]
    assert '"POST /me/ HTTP/1.1" 200' in line
    assert found_in(line, IDENTIFYING) == []


def test_gunicorn_writes_no_access_line_for_requester_pages(gunicorn_logger):
    _namespace, logger, records = gunicorn_logger
    for path in ("/p/city-fire/request/", "/p/city-fire/status/", "/api/v1/requests/lookup/"):
        logger.access(_Response(), _Request(), _environ(path), timedelta(seconds=1))
    assert records == []


def test_gunicorn_error_log_drops_client_addresses(gunicorn_logger):
    _namespace, logger, records = gunicorn_logger
    logger.warning("Invalid request from ip=%s: %s", IP, "Invalid HTTP method")
    logger.warning("Invalid request from ip=2001:db8::77: bad header")
    lines = [r.getMessage() for r in records]
    assert len(lines) == 2
    assert all("Invalid request from ip=[address removed]" in line for line in lines)
    assert IP not in "".join(lines) and "2001:db8" not in "".join(lines)


def test_receipt_codes_are_absent_from_every_address_the_browser_sees(client, program):
    response = send_request(client, program)
    code = code_in(response)
    assert receipts.normalise(code)
    for r in _walk_requester_pages(client, program, {}):
        assert "Location" not in r.headers
        for address in re.findall(r'(?:href|action|src)="([^"]*)"', r.content.decode()):
            assert code not in address
