"""Run the benchmarks: `make bench`, or `.venv/bin/python bench/run.py [name ...]` with names
from matching, reports and newsletter.

Each benchmark builds its own scratch SQLite database in a temporary directory, so this
never touches the development database. Only ratios measured in the same run are
meaningful; absolute times depend on the machine and on what else it is doing.
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    sys.path.insert(0, str(ROOT))
    with tempfile.TemporaryDirectory(prefix="toolkit-bench-") as tmp:
        # BENCH_DATABASE_URL points at a scratch PostgreSQL database instead (it is migrated
        # and filled, so never point it at a database you keep).
        os.environ["DATABASE_URL"] = os.environ.get(
            "BENCH_DATABASE_URL", f"sqlite:///{Path(tmp) / 'bench.sqlite3'}"
        )
        os.environ["DJANGO_SETTINGS_MODULE"] = "toolkit.settings.test"
        import django

        django.setup()
        from bench import matching, newsletter, reports

        benches = {"matching": matching, "reports": reports, "newsletter": newsletter}
        for name in sys.argv[1:] or list(benches):
            benches[name].main()


if __name__ == "__main__":
    main()
