"""Peak memory of ``moderators import`` as the list grows (issue 15 item 15).

Two measurements, each in a process of its own (peak RSS, ``ru_maxrss``, of that process):

* ``pipeline``: everything the CLI does with the rows except the requests — the first pass
  over the CSV (counts only), the second pass streamed into batches of 50 (duplicate check
  included), every outcome counted and written to a ``--report`` CSV atomically — for each
  of ``--pipeline-sizes`` (default 10,000 and 1,000,000 rows). Each person is "sent" by
  being marked added, without a request.
* ``full``: ``kproducer moderators import --report`` against the sandbox (no added latency)
  for each of ``--full-sizes`` (default 10,000 and 100,000 rows; 1,000,000 would take the
  sandbox about an hour).

    .venv/bin/python benchmarks/import_memory.py [--pipeline-sizes 10000,1000000]
        [--full-sizes 10000,100000]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def write_people(path: Path, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("user_id,first_name,last_name,role\n")
        for n in range(rows):
            role = "attendee" if n % 100 == 99 else ""
            handle.write(f"person-{n}@example.com,First{n},Last{n},{role}\n")
    return path


# --- in the subprocess ----------------------------------------------------------------------


def child_pipeline(csv_path: Path, report: Path) -> dict[str, Any]:
    from kproducer.commands import importing
    from kproducer.services import moderator_import, moderators
    from kproducer.services.moderators import RowResult

    started = time.perf_counter()
    scanned = moderator_import.scan(csv_path)

    def outcomes() -> Any:
        for batch in moderators._batches(moderator_import.pending(csv_path)):
            for row in batch:
                yield row if isinstance(row, RowResult) else RowResult(
                    row[0], row[1].user_id, "added")

    tally, error = importing.run_import(outcomes(), report)
    assert error is None and tally.rows == scanned.rows
    return {"wall": time.perf_counter() - started, "rows": tally.rows, "rss": peak_rss_mb()}


def child_full(csv_path: Path, report: Path, entry: str) -> dict[str, Any]:
    from kproducer import cli

    started = time.perf_counter()
    code = cli.main(["moderators", "import", "--entry", entry, "--csv", str(csv_path),
                     "--report", str(report), "--json"])
    return {"wall": time.perf_counter() - started, "code": code, "rss": peak_rss_mb()}


# --- in the parent --------------------------------------------------------------------------


def run_child(argv: list[str], env: dict[str, str]) -> dict[str, Any]:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), *argv],
                          capture_output=True, text=True, timeout=7200, env=env, check=False)
    if proc.returncode not in (0, 1):
        raise SystemExit(f"the import failed:\n{proc.stderr[-2000:]}")
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pipeline-sizes", default="10000,1000000")
    parser.add_argument("--full-sizes", default="10000,100000")
    parser.add_argument("--child", choices=["pipeline", "full"], help=argparse.SUPPRESS)
    for name in ("csv", "report", "entry"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child == "pipeline":
        print(json.dumps(child_pipeline(Path(args.csv), Path(args.report))))
        return
    if args.child == "full":
        figures = child_full(Path(args.csv), Path(args.report), args.entry)
        sys.stdout.flush()
        print("\n" + json.dumps(figures))
        return

    def sizes(text: str) -> list[int]:
        return [int(n) for n in text.split(",") if n.strip() and int(n) > 0]

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KPRODUCER_HOME": str(tmp / "home"),
               "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring"}
        print(f"{'run':<12}{'rows':>10}{'wall s':>10}{'peak RSS MB':>14}")
        for size in sizes(args.pipeline_sizes):
            people = write_people(tmp / f"people-{size}.csv", size)
            f = run_child(["--child", "pipeline", "--csv", str(people),
                           "--report", str(tmp / f"report-{size}.csv")], env)
            print(f"{'pipeline':<12}{size:>10}{f['wall']:>10.1f}{f['rss']:>14.1f}", flush=True)
        full = sizes(args.full_sizes)
        if not full:
            return
        os.environ.update(KPRODUCER_HOME=str(tmp / "parent-home"),
                          PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
        from kproducer.sandbox import Sandbox
        from kproducer.services import connect, entries
        from kproducer.services.models import EntryKind

        with Sandbox(tmp / "sandbox") as sandbox:
            info = sandbox.info
            kaltura = {"KALTURA_URL": info.service_url, "KALTURA_PARTNER_ID": str(info.partner_id),
                       "KALTURA_ADMIN_USER_ID": info.admin_user_id,
                       "KALTURA_ADMIN_SECRET": info.admin_secret}
            os.environ.update(kaltura)
            env.update(kaltura)
            account = connect.open_account(None)
            now = int(time.time())
            for size in full:
                entry = entries.create(account, EntryKind.LIVE, f"import {size}",
                                       start_date=now + 3600, end_date=now + 7200).id
                people = write_people(tmp / f"people-{size}.csv", size)
                f = run_child(["--child", "full", "--csv", str(people), "--entry", entry,
                               "--report", str(tmp / f"full-report-{size}.csv")],
                              {**env, "KPRODUCER_HOME": str(tmp / f"home-{size}")})
                print(f"{'full import':<12}{size:>10}{f['wall']:>10.1f}{f['rss']:>14.1f}",
                      flush=True)
            connect.close(account)


if __name__ == "__main__":
    main()
