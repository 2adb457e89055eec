"""Start the product under gunicorn for the HTTP benchmarks (http_bench.py, outage.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(env: dict, log_path: Path, *, workers: int, port: int, preload: bool = False):
    """gunicorn serving toolkit.wsgi on loopback with sync workers; its output goes to
    log_path. The caller terminates it."""
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "toolkit.wsgi",
        *(["--preload"] if preload else []),
        "-w",
        str(workers),
        "-b",
        f"127.0.0.1:{port}",
        "--timeout",
        "60",
    ]
    with open(log_path, "w") as log:  # the server keeps its own copy of the file
        return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
