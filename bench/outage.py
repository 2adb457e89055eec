"""Load and fault: anonymous intakes through gunicorn while PostgreSQL goes away for a while.

`make bench-outage` (not part of `make test`). On loopback it starts a throwaway PostgreSQL and
gunicorn (sync workers) with the production settings, then:

1. measures, closed-loop, the throughput of a bare view doing one INSERT and of the anonymous
   intake API on the same server, and prints their ratio;
2. (skipped with BENCH_FAULT=0) sends 3,000 anonymous intakes at a sustained rate (60% of the
   intake throughput just measured, at most 50 a second), stops PostgreSQL for 10 seconds in
   the middle, and prints accepted (201) against stored (rows in the database: they must be
   equal), the 5xx answers
   by status (503 is the designed answer; a 500 is a bug), p95/p99 latency and the time from
   the database's return to the first accepted request.

Absolute figures depend on the machine; the ratio and the counts are the result.
"""

import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import gunicorn_server  # bench/, beside this script

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
PG_PORT = int(os.environ.get("BENCH_PG_PORT", "25398"))
HTTP_PORT = int(os.environ.get("BENCH_HTTP_PORT", "8398"))
WORKERS = int(os.environ.get("BENCH_WORKERS", "4"))
INTAKES = int(os.environ.get("BENCH_INTAKES", "3000"))
OUTAGE_SECONDS = 10
# BENCH_FAULT=0 stops after the closed-loop ratio (part 1), skipping the outage run.
FAULT = os.environ.get("BENCH_FAULT", "1") != "0"
SLUG = "bench-station"


class Postgres:
    """A throwaway server; stop() and start() keep its data, so the outage loses nothing."""

    def __init__(self, datadir: Path):
        self.datadir = datadir
        self.bindir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []

    def ctl(self, *args: str) -> None:
        cmd = [*self.as_postgres, str(self.bindir / "pg_ctl"), "-D", str(self.datadir), *args]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def create(self) -> None:
        subprocess.run(
            ["bash", ".ci/postgres", "start", str(self.datadir), str(PG_PORT)],
            cwd=ROOT,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    def stop(self) -> None:
        self.ctl("-m", "fast", "-w", "stop")

    def start(self) -> None:
        opts = f"-c listen_addresses=127.0.0.1 -p {PG_PORT} -k {self.datadir}"
        self.ctl("-l", str(self.datadir / "server.log"), "-w", "-o", opts, "start")

    def destroy(self) -> None:
        subprocess.run(
            ["bash", ".ci/postgres", "stop", str(self.datadir), str(PG_PORT)],
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )


def post(path: str, body: dict) -> tuple[int, float]:
    data = json.dumps(body).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{HTTP_PORT}{path}",
        data=data,
        method="POST",
        headers={"Content-Type": "application/json", "Accept": "application/json"},
    )
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(req, timeout=30) as response:  # noqa: S310 (loopback only)
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        status = error.code
    except OSError:
        status = 0  # no answer at all: refused or timed out
    return status, time.perf_counter() - started


def intake_body(n: int) -> dict:
    return {"message": f"Bench request {n}: rough week, would like to talk to someone."}


def closed_loop(path: str, count: int, body, threads: int = 8) -> float:
    """Requests per second with `threads` clients each sending as soon as the last answered."""
    started = time.perf_counter()
    with ThreadPoolExecutor(threads) as pool:
        statuses = Counter(s for s, _ in pool.map(lambda n: post(path, body(n)), range(count)))
    elapsed = time.perf_counter() - started
    if set(statuses) != {201}:
        print(f"  warning: {path} answered {dict(statuses)}")
    return count / elapsed


def stored(env: dict) -> int:
    import psycopg

    with psycopg.connect(env["DATABASE_URL"]) as conn:
        return conn.execute("SELECT count(*) FROM programs_case").fetchone()[0]


def run_fault_phase(pg: Postgres, rate: float) -> dict:
    results: list[tuple[float, int, float]] = []  # (sent at, status, latency)
    lock = threading.Lock()
    begin = time.perf_counter()
    outage_at = begin + INTAKES / rate / 2 - OUTAGE_SECONDS / 2
    marks = {}

    def fault():
        time.sleep(max(0.0, outage_at - time.perf_counter()))
        marks["down"] = time.perf_counter()
        pg.stop()
        time.sleep(OUTAGE_SECONDS)
        pg.start()
        marks["up"] = time.perf_counter()

    def one(n: int):
        time.sleep(max(0.0, begin + n / rate - time.perf_counter()))
        sent = time.perf_counter()
        status, latency = post(f"/api/v1/programs/{SLUG}/requests/", intake_body(n))
        with lock:
            results.append((sent, status, latency))

    breaker = threading.Thread(target=fault)
    breaker.start()
    with ThreadPoolExecutor(64) as pool:
        list(pool.map(one, range(INTAKES)))
    breaker.join()
    return {"results": results, "begin": begin, **marks}


def percentile(values: list[float], q: float) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


def main() -> None:
    tmp = Path(tempfile.mkdtemp(prefix="toolkit-outage-"))
    os.chmod(tmp, 0o755)
    pg = Postgres(tmp / "pg")
    from cryptography.fernet import Fernet

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": f"postgres://postgres@127.0.0.1:{PG_PORT}/toolkit",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "TOOLKIT_DATA_KEY": Fernet.generate_key().decode(),
        "PYTHONPATH": str(ROOT),
    }
    server = None
    try:
        pg.create()
        manage = [PYTHON, "manage.py"]
        subprocess.run(
            [*manage, "migrate", "--noinput"],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        subprocess.run([*manage, "createcachetable"], cwd=ROOT, env=env, check=True)
        subprocess.run(
            [
                *manage,
                "bootstrap_program",
                "--template",
                "first-responder",
                "--name",
                "Bench Station",
                "--slug",
                SLUG,
                "--admin-email",
                "hr@bench.example.org",
            ],
            cwd=ROOT,
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
        # A new program is getting ready and takes no requests; this one has no supporters
        # to pass the launch checklist, so the bench opens it directly.
        opened = f"from programs.models import Program; Program.objects.filter(slug={SLUG!r})"
        subprocess.run(
            [*manage, "shell", "-c", opened + ".update(state='open')"],
            cwd=ROOT,
            env=env,
            check=True,
        )
        import psycopg  # the one-INSERT view's table comes from bench/baseline's migration

        server = gunicorn_server.start(env, tmp / "gunicorn.log", workers=WORKERS, port=HTTP_PORT)
        for _ in range(100):
            if post("/bench/insert/", {})[0] == 201:
                break
            time.sleep(0.2)

        print(f"gunicorn ({WORKERS} sync workers) and PostgreSQL on loopback")
        base = closed_loop("/bench/insert/", 1000, lambda n: {"n": n})
        intake = closed_loop(f"/api/v1/programs/{SLUG}/requests/", 400, intake_body)
        print(f"  bare view, one INSERT:     {base:8.1f} requests/s")
        print(f"  anonymous intake (API):    {intake:8.1f} requests/s")
        print(f"  intake / bare view:        {intake / base:8.3f}x")
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as conn:
            (waiting,) = conn.execute(
                "SELECT count(*) FROM django_tasks_database_dbtaskresult WHERE status = 'READY'"
            ).fetchone()
        # Nobody runs db_worker here: what the requests left for the background stays queued.
        print(f"  tasks left queued:         {waiting:8d}")
        if not FAULT:
            return

        rate = min(50.0, 0.6 * intake)
        before = stored(env)
        print(
            f"{INTAKES} intakes at {rate:.1f}/s, PostgreSQL stopped for {OUTAGE_SECONDS} s "
            "in the middle"
        )
        run = run_fault_phase(pg, rate)
        time.sleep(1)
        kept = stored(env) - before
        results = run["results"]
        statuses = Counter(status for _, status, _ in results)
        accepted = statuses[201]
        errors = {s: c for s, c in sorted(statuses.items()) if s >= 500 or s == 0}
        latencies = [latency for _, _, latency in results]
        recovered = [
            sent + lat for sent, status, lat in results if status == 201 and sent + lat > run["up"]
        ]
        recovery = (min(recovered) - run["up"]) if recovered else float("nan")
        print(f"  accepted (201):            {accepted:8d}")
        print(
            f"  stored:                    {kept:8d}  "
            f"({'equal' if kept == accepted else 'NOT EQUAL: requests lost or duplicated'})"
        )
        print(f"  answers by status:         {dict(sorted(statuses.items()))}")
        print(
            f"  5xx / no answer by kind:   {errors or 'none'}"
            f"{'  <- a 500 is a bug' if 500 in errors else ''}"
        )
        print(
            f"  p95 / p99 latency:         {percentile(latencies, 95) * 1000:8.0f} ms / "
            f"{percentile(latencies, 99) * 1000:.0f} ms"
        )
        print(f"  first 201 after restart:   {recovery:8.2f} s")
        if 500 in errors:
            text = (tmp / "gunicorn.log").read_text()
            start = text.find("Traceback")
            print("  first server error:\n" + text[start : start + 2000] if start >= 0 else "")
    finally:
        if server:
            server.terminate()
            server.wait(10)
        pg.destroy()
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
