"""HTTP throughput of the product's pages against bench-only baselines, on one server.

`make bench` (or `.venv/bin/python bench/http_bench.py [sqlite] [postgresql]`). For each
database it builds a scratch database (SQLite in a temporary directory, then a throwaway
PostgreSQL on BENCH_PG_PORT), migrates and fills it through the project's own services and
test factories, starts one gunicorn (sync, 5 workers, --preload, bench.settings: production
with the baseline app and the rate limits lifted) and loads every endpoint in turn with wrk
(`-t2 -c16 --latency`) on loopback: BENCH_ROUNDS interleaved rounds (default 5, the order
rotating each round) of BENCH_SECONDS each (default 2). Each figure is the median of the
rounds; p99 is the median of the rounds' p99. Every product endpoint is divided by its
baseline measured in the same rounds on the same server, so only ratios mean anything.

Baselines (bench/baseline): a bare view, a view doing one INSERT, and the first 50 rows of a
one-field table as JSON or as an HTML table. Queries per request are counted once,
in-process, with the test client (the second of two identical requests).

The web form needs a fresh signed one-time token per post: the fill step issues them (same
SECRET_KEY as the server) into one file per round and wrk's Lua script posts each once.
"""

import json
import os
import re
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import gunicorn_server  # bench/, beside this script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "25342"))
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT", "8342"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "5"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
SECONDS = int(os.environ.get("BENCH_SECONDS", "2"))
THREADS, CONNECTIONS = 2, 16
DRAINED = 0.25  # seconds for one bare request per worker: well under the slowest page
VERBOSE = os.environ.get("BENCH_VERBOSE") == "1"
STATION, INTAKE = "bench-station", "bench-intake"
CASES = 50
TOKENS_PER_FILE = 6000
INTAKE_JSON = json.dumps({"message": "Rough week after the call-out, would like to talk."})
INTAKE_FORM = {
    "step": "details",
    "message": "Rough week after the call-out, would like to talk.",
    "urgency": "routine",
    "channel": "messages",
}

# name, baseline name (None: is a baseline), method, path key, credential key
ENDPOINTS = [
    ("bare view", None, "GET", "bare", None),
    ("one-INSERT view", None, "POST", "insert", None),
    ("list-of-50 view, JSON", None, "GET", "list_json", None),
    ("list-of-50 view, HTML", None, "GET", "list_html", None),
    ("anonymous intake, API", "one-INSERT view", "POST", "intake_api", None),
    ("anonymous intake, web form", "one-INSERT view", "POST", "intake_web", None),
    ("landing page (program), from the page cache", "bare view", "GET", "landing", None),
    ("landing page (program), uncached", "bare view", "GET", "landing_uncached", None),
    ("article, from the page cache", "bare view", "GET", "article", None),
    ("article, uncached", "bare view", "GET", "article_uncached", None),
    ("caseload page, 50 cases", "list-of-50 view, HTML", "GET", "caseload", "supporter"),
    ("coordinator page", "list-of-50 view, HTML", "GET", "coordinate", "coordinator"),
    ("API caseload, 50 cases", "list-of-50 view, JSON", "GET", "api_caseload", "token"),
]
PATHS = {
    "bare": "/bench-baseline/bare/",
    "insert": "/bench-baseline/insert/",
    "list_json": "/bench-baseline/list/",
    "list_html": "/bench-baseline/list.html",
    "intake_api": f"/api/v1/programs/{INTAKE}/requests/",
    "intake_web": f"/p/{INTAKE}/request/",
    "caseload": "/caseload/",
    "coordinate": f"/coordinate/{STATION}/",
    "api_caseload": "/api/v1/caseload/",
}
EXPECTED = {"insert": 201, "intake_api": 201}

POST_LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Accept"] = "application/json"
wrk.body = [==[%s]==]
"""
# A new query string each time: the page cache keys on the full path, so every request
# misses it and the page is rendered (and stored) as on a first visit.
UNCACHED_LUA = """
local n = 0
function request()
  n = n + 1
  return wrk.format("GET", wrk.path .. "?uncached=" .. n .. "-" .. math.random(1000000000))
end
"""
# One token per post: thread k of n takes lines k+1, k+1+n, ... of the round's file.
FORM_LUA = """
local counter = 0
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
end
function init(args)
  bodies = {}
  for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
  nthreads = tonumber(args[2])
  idx = tid + 1
  headers = {["Content-Type"] = "application/x-www-form-urlencoded"}
end
function request()
  local body = bodies[idx]
  idx = idx + nthreads
  if idx > #bodies then idx = tid + 1 end
  return wrk.format("POST", nil, headers, body)
end
"""


# The fill step, run in a child process under bench.settings.


def fill(out: Path, rounds: int) -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from bench.baseline.models import Row
    from cms.models import ArticlePage, ProgramPage
    from privacy import formtokens
    from programs.models import Role
    from programs.services import cases, intake, tokens
    from programs.views import public as public_views
    from tests import factories, mfa
    from toolkit.database import refresh_statistics

    mfa.pretend_everyone_enrolled()  # every new person gets a TOTP; force_login passes it
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        station = factories.make_program(STATION)
        intake_program = factories.make_program(INTAKE)
        coordinator = factories.make_member(station, Role.COORDINATOR, "coord@bench.example.org")
        for n in range(10):
            factories.make_active_supporter(station, email=f"peer{n}@bench.example.org")
        profile = factories.make_active_supporter(
            station, email="busy@bench.example.org", max_active_cases=CASES + 10
        )
        for n in range(CASES):
            submitted = intake.case_submit(
                program=station, message=f"Case {n}: a hard shift, would like to talk."
            )
            case = submitted.case
            cases.case_offer(case=case, supporter=profile, actor=coordinator)
            cases.case_accept(case=case, actor=profile.user)
        for n in range(20):  # a queue for the coordinator
            factories.submit_request(station, message=f"Queued {n}: could someone call me?")
    Row.objects.bulk_create(Row(body=f"row {n}: some short text") for n in range(CASES))
    refresh_statistics()  # as the daily purge job does

    program_page = ProgramPage.objects.get(program=station)
    article = ArticlePage.objects.descendant_of(program_page).live().first()
    sessions = {}
    for key, user in (("supporter", profile.user), ("coordinator", coordinator)):
        client = Client()
        client.force_login(user)
        sessions[key] = client.cookies["sessionid"].value
    _token, api_key = tokens.token_create(user=profile.user, name="bench")
    purpose = public_views._request_form_purpose(intake_program)

    def form_body() -> str:
        return urllib.parse.urlencode({**INTAKE_FORM, "form_token": formtokens.issue(purpose)})

    form_files = []
    for n in range(rounds + 2):  # warm-up, check, rounds
        path = out.parent / f"form-{n}.txt"
        path.write_text("\n".join(form_body() for _ in range(TOKENS_PER_FILE)) + "\n")
        form_files.append(str(path))
    paths = {
        **PATHS,
        "landing": program_page.relative_url(None),
        "landing_uncached": program_page.relative_url(None),
        "article": article.relative_url(None),
        "article_uncached": article.relative_url(None),
    }

    def send(key, credential):
        extra = {"HTTP_HOST": "127.0.0.1"}
        client = Client(**extra)
        if credential in sessions:
            client.cookies["sessionid"] = sessions[credential]
        elif credential == "token":
            extra["HTTP_AUTHORIZATION"] = f"Token {api_key}"
        if key == "intake_web":
            return client.post(
                paths[key], form_body(), "application/x-www-form-urlencoded", **extra
            )
        if key in ("insert", "intake_api"):
            return client.post(paths[key], INTAKE_JSON, "application/json", **extra)
        if key.endswith("_uncached"):
            return client.get(f"{paths[key]}?uncached={uuid.uuid4().hex}", **extra)
        return client.get(paths[key], **extra)

    queries, statuses = {}, {}
    for _name, _base, _method, key, credential in ENDPOINTS:
        send(key, credential)
        with CaptureQueriesContext(connection) as captured:
            statuses[key] = send(key, credential).status_code
        queries[key] = len(captured.captured_queries)
    out.write_text(
        json.dumps(
            {
                "paths": paths,
                "sessions": sessions,
                "api_key": api_key,
                "form_files": form_files,
                "queries": queries,
                "statuses": statuses,
            }
        )
    )


# The driver.


def run(cmd, env, **kwargs):
    return subprocess.run(cmd, cwd=ROOT, env=env, check=True, **kwargs)


def wrk_args(endpoint, data, tmp: Path, form_file: str | None) -> list[str]:
    _name, _base, method, key, credential = endpoint
    args = ["wrk", f"-t{THREADS}", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency"]
    args += ["--timeout", "30s"]  # a slow page is slow, not a socket error
    if credential in data["sessions"]:
        args += ["-H", f"Cookie: sessionid={data['sessions'][credential]}"]
    elif credential == "token":
        args += ["-H", f"Authorization: Token {data['api_key']}"]
    url = f"http://127.0.0.1:{HTTP_PORT}{data['paths'][key]}"
    if key == "intake_web":
        script = tmp / "form.lua"
        script.write_text(FORM_LUA)
        return [*args, "-s", str(script), url, "--", form_file, str(THREADS)]
    if key.endswith("_uncached"):
        script = tmp / "uncached.lua"
        script.write_text(UNCACHED_LUA)
        return [*args, "-s", str(script), url]
    if method == "POST":
        script = tmp / "post.lua"
        script.write_text(POST_LUA % INTAKE_JSON)
        args += ["-s", str(script)]
    return [*args, url]


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60000.0}


def parse_wrk(text: str) -> dict:
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", text).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s|m)\b", text)
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", text)
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text
    )
    total = int(re.search(r"(\d+) requests in", text).group(1))
    return {
        "rate": rate,
        "p99": float(p99.group(1)) * UNITS[p99.group(2)] if p99 else float("nan"),
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": sum(int(g) for g in errors.groups()) if errors else 0,
        "total": total,
    }


def check_once(endpoint, data, form_file: str) -> int:
    """One request through gunicorn: the endpoint answers what it should before the load."""
    _name, _base, method, key, credential = endpoint
    headers = {}
    body = None
    if credential in data["sessions"]:
        headers["Cookie"] = f"sessionid={data['sessions'][credential]}"
    elif credential == "token":
        headers["Authorization"] = f"Token {data['api_key']}"
    if key == "intake_web":
        body = Path(form_file).read_text().splitlines()[0].encode()
        headers["Content-Type"] = "application/x-www-form-urlencoded"
    elif method == "POST":
        body = INTAKE_JSON.encode()
        headers["Content-Type"] = "application/json"
    url = f"http://127.0.0.1:{HTTP_PORT}{data['paths'][key]}"
    request = urllib.request.Request(url, data=body, method=method, headers=headers)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def drain(data, p99_ms: float) -> None:
    """Wait until the server has worked off what the last run left queued (requests wrk had
    sent when it stopped), so it does not slow the next endpoint's run."""
    from concurrent.futures import ThreadPoolExecutor

    deadline = time.perf_counter() + 5
    with ThreadPoolExecutor(WORKERS) as pool:
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            list(pool.map(lambda _: check_once(ENDPOINTS[0], data, ""), range(WORKERS)))
            # One bare request per worker, all answered quickly: no page is still being made.
            if time.perf_counter() - started < DRAINED:
                break
    # What was still being made when the queue emptied ends within one request's time.
    time.sleep(min(1.5, p99_ms / 1000 * WORKERS / CONNECTIONS))


def measure(label: str, env: dict, tmp: Path) -> list[dict]:
    out = tmp / "fill.json"
    run([PYTHON, "manage.py", "migrate", "--noinput"], env, stdout=subprocess.DEVNULL)
    run([PYTHON, "manage.py", "createcachetable"], env)
    started = time.perf_counter()
    print(f"{label}: migrated", flush=True)
    run([PYTHON, __file__, "fill", str(out), str(ROUNDS)], env)
    data = json.loads(out.read_text())
    print(f"{label}: filled in {time.perf_counter() - started:.0f} s", flush=True)
    server = gunicorn_server.start(
        env, tmp / "gunicorn.log", workers=WORKERS, port=HTTP_PORT, preload=True
    )
    try:
        for _ in range(150):
            if check_once(ENDPOINTS[0], data, "") == 200:
                break
            time.sleep(0.2)
        failures = {}
        for endpoint in ENDPOINTS:
            status = check_once(endpoint, data, data["form_files"][1])
            if status != EXPECTED.get(endpoint[3], 200):
                failures[endpoint[0]] = status
        if failures:
            print(f"{label}: answered other than expected before the load: {failures}")
            print(f"{label}: in-process answers: {data['statuses']}")
        for endpoint in ENDPOINTS:  # warm-up: every worker has loaded every page once
            warm = wrk_args(endpoint, data, tmp, data["form_files"][0])
            warm[3] = "-d1s"
            warmed = subprocess.run(warm, check=True, capture_output=True, text=True)
            drain(data, parse_wrk(warmed.stdout)["p99"])
        results: dict[str, list[dict]] = {e[0]: [] for e in ENDPOINTS}
        load_before = os.getloadavg()[0]
        for r in range(ROUNDS):
            order = ENDPOINTS[r % len(ENDPOINTS) :] + ENDPOINTS[: r % len(ENDPOINTS)]
            for endpoint in order:
                args = wrk_args(endpoint, data, tmp, data["form_files"][r + 2])
                done = subprocess.run(args, check=True, capture_output=True, text=True)
                results[endpoint[0]].append(parse_wrk(done.stdout))
                drain(data, results[endpoint[0]][-1]["p99"])
                if VERBOSE:
                    print(endpoint[0], results[endpoint[0]][-1], flush=True)
        load_after = os.getloadavg()[0]
    finally:
        server.terminate()
        server.wait(20)
    rows = [{"load": (load_before, load_after)}]
    medians = {name: statistics.median(x["rate"] for x in runs) for name, runs in results.items()}
    for name, base, _method, key, _credential in ENDPOINTS:
        runs = results[name]
        bad = sum(x["bad"] for x in runs)
        total = sum(x["total"] for x in runs)
        rows.append(
            {
                "endpoint": name,
                "rate": medians[name],
                "p99": statistics.median(x["p99"] for x in runs),
                "baseline": base,
                "ratio": medians[name] / medians[base] if base else None,
                "queries": data["queries"][key],
                "bad": bad,
                "total": total,
                "socket_errors": sum(x["socket_errors"] for x in runs),
                "check": failures.get(name),
            }
        )
    text = (tmp / "gunicorn.log").read_text()
    if "Traceback" in text:
        start = text.find("Traceback")
        print(f"{label}: first server error in the gunicorn log:\n{text[start : start + 2500]}")
    return rows


def table(label: str, rows: list[dict]) -> str:
    load, *rows = rows
    lines = [
        f"**{label}** — gunicorn {WORKERS} sync workers --preload, wrk -t{THREADS} "
        f"-c{CONNECTIONS}, {ROUNDS} interleaved rounds of {SECONDS} s, medians; "
        f"load average {load['load'][0]:.1f} before, {load['load'][1]:.1f} after "
        f"({os.cpu_count()} cores)",
        "",
        "| endpoint | req/s | p99 ms | ratio | vs | queries/req | non-2xx |",
        "| --- | ---: | ---: | ---: | --- | ---: | ---: |",
    ]
    for row in rows:
        ratio = f"{row['ratio']:.3f}×" if row["ratio"] is not None else "—"
        bad = f"{row['bad']} of {row['total']}" if row["bad"] else "0"
        if row["socket_errors"]:
            bad += f", {row['socket_errors']} socket errors"
        if row["check"] is not None:
            bad += f" (check answered {row['check']})"
        lines.append(
            f"| {row['endpoint']} | {row['rate']:.1f} | {row['p99']:.1f} | {ratio} | "
            f"{row['baseline'] or 'baseline'} | {row['queries']} | {bad} |"
        )
    return "\n".join(lines)


def main(which: list[str]) -> None:
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk (make bench does it).")
    from cryptography.fernet import Fernet

    tmp_root = Path(tempfile.mkdtemp(prefix="toolkit-http-bench-"))
    os.chmod(tmp_root, 0o755)
    base_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1,testserver",
        "TOOLKIT_DATA_KEY": Fernet.generate_key().decode(),
        "TOOLKIT_VAR_DIR": str(tmp_root / "var"),
        "PYTHONPATH": str(ROOT),
    }
    tables = []
    try:
        started = time.perf_counter()
        run(
            [PYTHON, "manage.py", "collectstatic", "--noinput"], base_env, stdout=subprocess.DEVNULL
        )
        print(f"collectstatic: {time.perf_counter() - started:.0f} s", flush=True)
        if "sqlite" in which:
            tmp = tmp_root / "sqlite"
            tmp.mkdir()
            env = {**base_env, "DATABASE_URL": f"sqlite:///{tmp / 'bench.sqlite3'}"}
            tables.append(table("SQLite", measure("SQLite", env, tmp)))
            print(tables[-1] + "\n", flush=True)
        if "postgresql" in which:
            tmp = tmp_root / "postgresql"
            tmp.mkdir()
            os.chmod(tmp, 0o755)
            pgdata = str(tmp / "pg")
            run(["bash", ".ci/postgres", "start", pgdata, str(PG_PORT)], base_env)
            try:
                url = f"postgres://postgres@127.0.0.1:{PG_PORT}/toolkit"
                env = {**base_env, "DATABASE_URL": url}
                tables.append(table("PostgreSQL", measure("PostgreSQL", env, tmp)))
                print(tables[-1] + "\n", flush=True)
            finally:
                subprocess.run(["bash", ".ci/postgres", "stop", pgdata, str(PG_PORT)], cwd=ROOT)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)


if __name__ == "__main__":
    if sys.argv[1:2] == ["fill"]:
        fill(Path(sys.argv[2]), int(sys.argv[3]))
    else:
        main(sys.argv[1:] or ["sqlite", "postgresql"])
