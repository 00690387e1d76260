"""Link export at scale: rows/s, requests, wall time and peak memory, against the naive way.

Starts a sandbox answering every request after ``--latency-ms`` (default 100 ms), then, for
each size of ``--sizes`` (default 1,000 / 10,000 / 50,000 attendees, each list new to the
server), runs ``kproducer links export`` (the service, ``--format url``) in a subprocess of
its own with an empty cache (cold), and again with that cache (warm: users known), and
reads the subprocess's peak RSS (``ru_maxrss``). Then ``--naive-rows`` rows (default 1,000)
the naive way — the reference sample's flow, one request per API action for each person
(``user.get`` → ``user.add`` → ``groupUser.list`` → ``groupUser.add``, stock KalturaClient, a
new connection per call) then a local KS — against kproducer doing the same people as
moderators (the same API work, batched), with the ratios.

Targets (issue 6): cold requests ≤ ceil(N/50)+2; 10,000 rows under 30 s and under 300 MB
peak; 50,000 rows with about the memory of 10,000; warm: zero requests.

    .venv/bin/python benchmarks/links_export.py [--sizes 1000,10000,50000]
        [--naive-rows 1000] [--latency-ms 100]

At 100 ms the naive 1,000 rows take about 7 minutes (4,000 requests).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import requests

ROOT = Path(__file__).resolve().parent.parent


def peak_rss_mb() -> float:
    """This process's peak resident memory (ru_maxrss: KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


# --- in the subprocess ----------------------------------------------------------------------


def child_kproducer(args: argparse.Namespace) -> dict[str, Any]:
    from kproducer.services import bulk, connect, links
    from kproducer.services.links import ExportRequest
    from kproducer.services.models import Role

    if args.batch:
        bulk.BATCH_PEOPLE = int(args.batch)  # a point of the curve (benchmark only)
    workers = int(args.workers) if args.workers else bulk.WORKERS
    account = connect.open_account(None)
    try:
        started = time.perf_counter()
        summary = links.export(account, ExportRequest(
            args.entry, Path(args.csv), Path(args.out), role=Role(args.role), workers=workers))
        wall = time.perf_counter() - started
    finally:
        connect.close(account)
    return {"wall": wall, "ok": summary.ok, "failed": summary.failed, "rss": peak_rss_mb()}


def child_naive(args: argparse.Namespace) -> dict[str, Any]:
    import csv

    from KalturaClient import KalturaClient, KalturaConfiguration
    from KalturaClient.exceptions import KalturaException
    from KalturaClient.Plugins.Core import KalturaGroupUser, KalturaGroupUserFilter, KalturaUser

    env = os.environ
    config = KalturaConfiguration()
    config.serviceUrl = env["KALTURA_URL"]
    client = KalturaClient(config)
    secret, pid = env["KALTURA_ADMIN_SECRET"], int(env["KALTURA_PARTNER_ID"])
    client.setKs(KalturaClient.generateSessionV2(
        secret, env["KALTURA_ADMIN_USER_ID"], 2, pid, 86400, "").decode())
    group = f"{args.entry}_moderators"
    started = time.perf_counter()
    ok = 0
    with open(args.csv, newline="", encoding="utf-8") as source, \
            open(args.out, "w", newline="", encoding="utf-8") as out:
        writer = csv.writer(out)
        writer.writerow(["user_id", "status", "link"])
        for row in csv.DictReader(source):
            uid = row["user_id"]
            try:
                client.user.get(uid)
            except KalturaException:
                client.user.add(KalturaUser(id=uid))
            members = client.groupUser.list(
                KalturaGroupUserFilter(userIdEqual=uid, groupIdEqual=group))
            if not members.totalCount:
                client.groupUser.add(KalturaGroupUser(userId=uid, groupId=group))
            ks = KalturaClient.generateSessionV2(
                secret, uid, 0, pid, 7200, f"sview:{args.entry},setrole:PLAYBACK_BASE_ROLE"
            ).decode()
            writer.writerow([uid, "ok", f"{env['KALTURA_URL']}/?entry_id={args.entry}&ks={ks}"])
            ok += 1
    return {"wall": time.perf_counter() - started, "ok": ok, "failed": 0, "rss": peak_rss_mb()}


# --- in the parent --------------------------------------------------------------------------


def write_people(path: Path, prefix: str, rows: int) -> Path:
    with path.open("w", encoding="utf-8") as handle:
        handle.write("user_id,first_name,last_name\n")
        for n in range(rows):
            handle.write(f"{prefix}-{n}@example.com,First{n},Last{n}\n")
    return path


def run_child(kind: str, env: dict[str, str], home: Path, url: str, **options: Any
              ) -> dict[str, Any]:
    """One export in a subprocess; its figures plus the requests the sandbox saw."""
    requests.post(f"{url}/_sandbox/stats/reset", timeout=10)
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", kind]
    for name, value in options.items():
        argv += [f"--{name}", str(value)]
    proc = subprocess.run(argv, capture_output=True, text=True, timeout=3600,
                          env={**env, "KPRODUCER_HOME": str(home)}, check=False)
    if proc.returncode != 0:
        raise SystemExit(f"{kind} export failed:\n{proc.stderr}")
    figures: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    figures["requests"] = requests.get(f"{url}/_sandbox/stats", timeout=10).json()[
        "http_requests"]
    return figures


def line(label: str, rows: int, f: dict[str, Any], budget: str = "") -> str:
    rate = rows / f["wall"] if f["wall"] else float("inf")
    return (f"{label:<30}{rows:>7}{f['requests']:>10}{budget:>8}{f['wall']:>10.2f}"
            f"{rate:>10.0f}{f['rss']:>10.1f}{f['failed']:>8}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,50000", help="comma-separated row counts")
    parser.add_argument("--naive-rows", type=int, default=1000, help="rows for the naive way (0: skip)")
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--per-call-ms", type=int, default=0,
                        help="server time per API call (the sandbox's per_call_ms fault)")
    parser.add_argument("--curve", type=int, default=0,
                        help="first measure this many rows at each --batches x --workers-list")
    parser.add_argument("--batches", default="25,50,100", help="people per request (curve)")
    parser.add_argument("--workers-list", default="1,2,3,4,6,8",
                        help="requests at once (curve)")
    parser.add_argument("--child", choices=["kproducer", "naive"], help=argparse.SUPPRESS)
    for name in ("entry", "csv", "out", "role", "batch", "workers"):
        parser.add_argument(f"--{name}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        runner = child_kproducer if args.child == "kproducer" else child_naive
        print(json.dumps(runner(args)))
        return
    sizes = [int(n) for n in args.sizes.split(",") if n.strip() and int(n) > 0]

    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        os.environ["KPRODUCER_HOME"] = str(tmp / "parent-home")
        from kproducer.sandbox import Sandbox
        from kproducer.services import connect, entries
        from kproducer.services.models import EntryKind

        with Sandbox(tmp / "sandbox") as sandbox:
            info = sandbox.info
            url = info.service_url
            env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
            env.update(KALTURA_URL=url, KALTURA_PARTNER_ID=str(info.partner_id),
                       KALTURA_ADMIN_USER_ID=info.admin_user_id,
                       KALTURA_ADMIN_SECRET=info.admin_secret,
                       KALTURA_PLAYER_UICONF_ID=str(info.player_uiconf_id),
                       PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring",
                       PYTHONPATH=str(ROOT))
            os.environ.update({k: v for k, v in env.items() if k.startswith("KALTURA_")})
            os.environ["PYTHON_KEYRING_BACKEND"] = "keyring.backends.fail.Keyring"
            account = connect.open_account(None)
            now = int(time.time())

            def new_entry(name: str) -> str:
                return entries.create(account, EntryKind.LIVE, name, start_date=now + 3600,
                                      end_date=now + 7200).id

            requests.post(f"{url}/_sandbox/faults", timeout=10, json={
                "latency_ms": args.latency_ms, "per_call_ms": args.per_call_ms})
            print(f"links export — sandbox latency {args.latency_ms} ms per request, "
                  f"{args.per_call_ms} ms server time per call, url format, each run in its "
                  "own process")
            if args.curve:
                _curve(args, env, tmp, url, new_entry)
            print(f"{'run':<30}{'rows':>7}{'requests':>10}{'budget':>8}{'wall s':>10}"
                  f"{'rows/s':>10}{'peak MB':>10}{'failed':>8}")
            results: dict[int, dict[str, Any]] = {}
            for size in sizes:
                home = tmp / f"home-{size}"
                entry = new_entry(f"bench {size}")
                source = write_people(tmp / f"people-{size}.csv", f"att{size}", size)
                options = {"entry": entry, "csv": source, "role": "attendee"}
                cold = run_child("kproducer", env, home, url, out=tmp / f"cold-{size}.csv",
                                 **options)
                results[size] = cold
                print(line("kproducer attendees, cold", size, cold,
                           str(math.ceil(size / 50) + 2)), flush=True)
                warm = run_child("kproducer", env, home, url, out=tmp / f"warm-{size}.csv",
                                 **options)
                print(line("kproducer attendees, warm", size, warm, "0"), flush=True)
            if args.naive_rows:
                n = args.naive_rows
                naive_source = write_people(tmp / "people-naive.csv", "naive", n)
                naive = run_child("naive", env, tmp / "home-naive", url,
                                  entry=new_entry("naive"), csv=naive_source,
                                  out=tmp / "naive.csv")
                print(line("naive (reference sample)", n, naive), flush=True)
                ours_source = write_people(tmp / "people-mods.csv", "mods", n)
                ours = run_child("kproducer", env, tmp / "home-mods", url,
                                 entry=new_entry("ours"), csv=ours_source,
                                 out=tmp / "mods.csv", role="moderator")
                print(line("kproducer moderators, cold", n, ours,
                           str(math.ceil(n / 50) + 2)), flush=True)
                print(f"ratio naive / kproducer (same {n} people and API work): "
                      f"{naive['requests'] / max(ours['requests'], 1):.0f}x requests, "
                      f"{naive['wall'] / max(ours['wall'], 1e-9):.0f}x wall time")
            _targets(results)
            account.conn.close()


def _curve(args: argparse.Namespace, env: dict[str, str], tmp: Path, url: str,
           new_entry: Any) -> None:
    """Cold exports of ``--curve`` rows at each batch size and concurrency; the best point."""
    n = args.curve
    print(f"curve: {n} attendees cold, rows/s by people per request (rows) and requests at "
          "once (columns)")
    workers_list = [int(w) for w in args.workers_list.split(",")]
    print(f"{'batch':>6}" + "".join(f"{w:>8}" for w in workers_list))
    best: tuple[float, int, int] = (0.0, 0, 0)
    for batch in (int(b) for b in args.batches.split(",")):
        rates = []
        for workers in workers_list:
            tag = f"b{batch}w{workers}"
            source = write_people(tmp / f"people-{tag}.csv", f"curve-{tag}", n)
            figures = run_child("kproducer", env, tmp / f"home-{tag}", url,
                                entry=new_entry(f"curve {tag}"), csv=source,
                                out=tmp / f"curve-{tag}.csv", role="attendee",
                                batch=batch, workers=workers)
            rate = n / figures["wall"]
            rates.append(rate)
            best = max(best, (rate, batch, workers))
        print(f"{batch:>6}" + "".join(f"{r:>8.0f}" for r in rates), flush=True)
    print(f"best point: {best[0]:.0f} rows/s at {best[1]} people per request, {best[2]} "
          "requests at once")


def _targets(results: dict[int, dict[str, Any]]) -> None:
    for size, cold in results.items():
        verdict = "ok" if cold["requests"] <= math.ceil(size / 50) + 2 else "OVER"
        print(f"target {size} rows: {cold['requests']} requests ≤ {math.ceil(size / 50) + 2} "
              f"({verdict})")
    if 10000 in results:
        ten = results[10000]
        print(f"target 10000 rows: {ten['wall']:.1f} s < 30 s "
              f"({'ok' if ten['wall'] < 30 else 'OVER'}), {ten['rss']:.0f} MB < 300 MB "
              f"({'ok' if ten['rss'] < 300 else 'OVER'})")
        if 50000 in results:
            ratio = results[50000]["rss"] / ten["rss"]
            print(f"target 50000 rows: peak {results[50000]['rss']:.0f} MB = {ratio:.2f}x "
                  "the peak of 10000")


if __name__ == "__main__":
    main()
