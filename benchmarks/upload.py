"""Uploading a recording: throughput, memory, and chunks re-sent after a kill.

Starts a sandbox in a temporary folder and prints three figures (targets in brackets):

1. Throughput of ``services.uploads.upload`` (chunked, resumable) against ONE plain
   ``requests`` POST of the same file to ``uploadToken.upload``, in the same run; the
   ratio of their MB/s [≥ 0.8].
2. Peak RSS of a child process running ``kproducer entries upload`` for a 200 MB and a
   2 GB sparse file (made in the temporary folder, never kept) [independent of size].
3. Chunks the server already had that were sent again after ``kill -9`` in the middle of
   an upload and the same command run again [≤ 1].

    .venv/bin/python benchmarks/upload.py [--mb 200] [--big-mb 2048] [--skip-big]
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from upload_support import make_mp4  # noqa: E402

from kproducer.sandbox import Sandbox, SandboxInfo  # noqa: E402
from kproducer.services import uploads  # noqa: E402

MB = 1024 * 1024


def _stats(info: SandboxInfo) -> dict:
    return requests.get(f"{info.service_url}/_sandbox/stats", timeout=10).json()


#: The two uploads timed, each in a child process of its own (the sandbox, in this process,
#: then does not share an interpreter lock with the client), timing only the upload.
_PLAIN = """
import json, sys, time, requests
from KalturaClient import KalturaClient
url, pid, user, secret, path = sys.argv[1:6]
ks = KalturaClient.generateSessionV2(secret, user, 2, int(pid), 3600, "").decode()
api = url + "/api_v3/service"
token = requests.post(api + "/uploadtoken/action/add", json={"ks": ks, "format": 1}).json()["id"]
started = time.perf_counter()
with open(path, "rb") as handle:
    answer = requests.post(api + "/uploadtoken/action/upload",
        data={"json": json.dumps({"ks": ks, "uploadTokenId": token, "format": 1})},
        files={"fileData": ("clip.mp4", handle)}, timeout=600)
elapsed = time.perf_counter() - started
assert answer.json()["status"] == 2, answer.text[:300]
print(elapsed)
"""
_OURS = """
import sys, time
from kproducer.services import connect, uploads
account = connect.open_account(None)
started = time.perf_counter()
uploads.upload(account, sys.argv[1])
print(time.perf_counter() - started)
connect.close(account)
"""


def plain_post(info: SandboxInfo, path: Path, home: Path) -> float:
    """Seconds for ONE plain requests POST of the whole file to uploadToken.upload."""
    done = subprocess.run(
        [sys.executable, "-c", _PLAIN, info.service_url, str(info.partner_id),
         info.admin_user_id, info.admin_secret, str(path)],
        capture_output=True, text=True, check=True, timeout=900, env=_env(info, home))
    return float(done.stdout.split()[-1])


def ours(info: SandboxInfo, path: Path, home: Path) -> float:
    """Seconds for services.uploads.upload of the same file (chunks, then the session)."""
    done = subprocess.run([sys.executable, "-c", _OURS, str(path)], capture_output=True,
                          text=True, check=True, timeout=900, env=_env(info, home))
    return float(done.stdout.split()[-1])


def _env(info: SandboxInfo, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KALTURA_")}
    env.update(KALTURA_URL=info.service_url, KALTURA_PARTNER_ID=str(info.partner_id),
               KALTURA_ADMIN_USER_ID=info.admin_user_id, KALTURA_ADMIN_SECRET=info.admin_secret,
               KPRODUCER_HOME=str(home),
               PYTHON_KEYRING_BACKEND="keyring.backends.fail.Keyring")
    return env


#: Runs the command line in the child and reports its own peak RSS (``VmHWM`` of its own
#: memory map: ``ru_maxrss`` of a child started with vfork would count the parent's).
_CHILD = """
import atexit, sys
def report():
    for line in open('/proc/self/status'):
        if line.startswith('VmHWM'):
            sys.stderr.write('PEAK_RSS_KB ' + line.split()[1] + chr(10))
atexit.register(report)
from kproducer.cli import main
sys.exit(main(sys.argv[1:]))
"""


def child_peak_rss(info: SandboxInfo, path: Path, home: Path) -> tuple[float, float]:
    """(peak RSS in MB, seconds) of ``kproducer entries upload`` in a child process."""
    command = [sys.executable, "-c", _CHILD, "entries", "upload", str(path), "--json"]
    started = time.perf_counter()
    done = subprocess.run(command, env=_env(info, home), capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=1800)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"the upload failed: {done.stderr}")
    peak = next(int(line.split()[1]) for line in done.stderr.splitlines()
                if line.startswith("PEAK_RSS_KB"))
    return peak / 1024, elapsed


def _confirmed(home: Path) -> int:
    try:
        data = json.loads((home / "data" / "uploads.json").read_text())
    except (OSError, ValueError):
        return 0
    return max((u["confirmed"] for u in data.get("uploads", [])), default=0)


def resent_after_kill(info: SandboxInfo, path: Path, home: Path) -> tuple[int, int, int]:
    """(chunks in the file, chunk requests in all, confirmed MB at the kill)."""
    requests.post(f"{info.service_url}/_sandbox/stats/reset", timeout=10)
    requests.post(f"{info.service_url}/_sandbox/faults", json={"latency_ms": 1000}, timeout=10)
    command = [sys.executable, "-m", "kproducer", "entries", "upload", str(path), "--json"]
    env = _env(info, home)
    first = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
    size = path.stat().st_size
    deadline = time.monotonic() + 120
    while _confirmed(home) < size // 2 and time.monotonic() < deadline:
        time.sleep(0.02)
    at_kill = _confirmed(home)
    first.send_signal(signal.SIGKILL)
    first.wait()
    requests.post(f"{info.service_url}/_sandbox/faults", json={}, timeout=10)
    subprocess.run(command, env=env, check=True, stdout=subprocess.DEVNULL,
                   stdin=subprocess.DEVNULL, timeout=600)
    chunks = -(-size // uploads.CHUNK_BYTES)
    sent = int(_stats(info)["by_action"]["uploadtoken.upload"])
    return chunks, sent, at_kill // MB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=int, default=200, help="size of the throughput file")
    parser.add_argument("--big-mb", type=int, default=2048, help="size of the big sparse file")
    parser.add_argument("--skip-big", action="store_true", help="skip the big file")
    parser.add_argument("--rounds", type=int, default=5, help="throughput runs of each")
    parser.add_argument("--resume-mb", type=int, default=100, help="size of the killed upload")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp_name, Sandbox(Path(tmp_name) / "sb") as sandbox:
        tmp = Path(tmp_name)
        info = sandbox.info
        video = make_mp4(tmp / "throughput.mp4", 600.0, args.mb * MB)
        size_mb = video.stat().st_size / 1e6
        print(f"throughput ({args.mb} MB, {args.rounds} rounds each, alternating; best and median)")
        plains, mines = [], []
        for _ in range(args.rounds):  # alternating, so a busy machine slows both alike
            plains.append(plain_post(info, video, tmp / "home-plain"))
            mines.append(ours(info, video, tmp / f"home-ours-{len(mines)}"))
        plain, mine = min(plains), min(mines)
        median_ratio = statistics.median(plains) / statistics.median(mines)
        print(f"  plain requests POST     {size_mb / plain:8.1f} MB/s  "
              f"({', '.join(f'{t:.2f}' for t in plains)} s)")
        print(f"  kproducer upload        {size_mb / mine:8.1f} MB/s  "
              f"({', '.join(f'{t:.2f}' for t in mines)} s; {uploads.CHUNK_BYTES // MB} MB "
              f"chunks, {uploads.IN_FLIGHT} in flight)")
        print(f"  ratio                   {plain / mine:8.2f}   best against best (target >= 0.80)")
        print(f"  ratio of the medians    {median_ratio:8.2f}")
        video.unlink()

        print("peak RSS of `kproducer entries upload` (child process, sparse files)")
        sizes = [200] if args.skip_big else [200, args.big_mb]
        for size in sizes:
            sparse = make_mp4(tmp / f"sparse-{size}.mp4", 3600.0, size * MB, sparse=True)
            rss, seconds = child_peak_rss(info, sparse, tmp / f"home-{size}")
            print(f"  {size:6d} MB file        {rss:8.1f} MB peak RSS  ({seconds:.1f} s)")
            sparse.unlink()

        resume = make_mp4(tmp / "resume.mp4", 1800.0, args.resume_mb * MB, sparse=True)
        chunks, sent, at_kill = resent_after_kill(info, resume, tmp / "home-resume")
        print(f"resume after kill -9 ({args.resume_mb} MB, killed at {at_kill} MB confirmed)")
        print(f"  chunks in the file {chunks}, chunk requests in all {sent}, "
              f"re-sent {sent - chunks}   (target <= 1)")


if __name__ == "__main__":
    main()
