"""Secret hygiene (DESIGN §6): a whole session of real processes on the real OS keyring.

``kproducer sandbox serve`` runs as a process; every kproducer command runs as its own
process (``python -m kproducer``) with ``KPRODUCER_HOME``, ``HOME``, the XDG folders,
``XDG_RUNTIME_DIR`` and ``TMPDIR`` all pointing into this test's temporary folder, and with
the Secret Service of ``scripts/with-keyring`` as the keyring. The session connects
(``profile add`` with the three secrets, ``profile test``), creates an event, a live session
and a room, adds moderators (one by one and from a CSV, with a report), previews the
moderator view in QtWebEngine (``gui --smoke-test --screenshot``), exports signed links (URL
and HTML pages), and shows then clears the cache.

Then it proves that the admin secret, the CnC app token and the KME secret (as they are, and
base64-, URL- and UTF-16-encoded) are in no file the processes could write (kproducer's own,
Qt's and QtWebEngine's, temporary files) and in nothing any process printed; that every file
kproducer created under ``KPRODUCER_HOME`` is owner-only (0600-like) and every folder 0700;
and that the secrets are where they belong: in the keyring.

Where things land (found with this test): kproducer writes only under ``KPRODUCER_HOME``
(``config/profiles.json`` and its lock, ``cache/cache.sqlite3`` with its WAL/SHM while in
use; no log file is written yet: ``paths.log_dir()`` stays empty); the screenshots and exports
go where the user says. The previews' QtWebEngine profiles are off the record and write
nothing; the only other file is Mesa's shader cache (``$XDG_CACHE_HOME/mesa_shader_cache``).
The sandbox's own output (its first line holds the admin secret by contract) is not scanned.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import signal
import stat
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus

import keyring.errors
import pytest
from cli_support import ACCOUNT_VARS, Result, write_csv
from conftest import make_client
from keyring.backends import SecretService
from keyring_support import secret_service_problem

from kproducer.local.secret_store import SERVICE_NAME, SecretKind, username
from kproducer.sandbox import SandboxInfo

pytestmark = pytest.mark.keyring

#: The umask of every process (a common default): what is not made private is then visible.
UMASK = 0o022
#: Variables of the developer's shell that must not reach the processes.
DROPPED = (*ACCOUNT_VARS, "PYTHON_KEYRING_BACKEND", "KPRODUCER_DEBUG")


@dataclass
class Places:
    """Every folder the processes may write to (all under the test's temporary folder)."""

    root: Path

    @property
    def kp_home(self) -> Path:
        return self.root / "kproducer-home"

    @property
    def home(self) -> Path:
        return self.root / "home"

    @property
    def tmp(self) -> Path:
        return self.root / "tmpdir"

    @property
    def runtime(self) -> Path:
        return self.root / "runtime"

    def env(self) -> dict[str, str]:
        """The environment of a kproducer process: nothing outside these folders."""
        env = {k: v for k, v in os.environ.items() if k not in DROPPED}
        env.update({
            "KPRODUCER_HOME": str(self.kp_home),
            "HOME": str(self.home),
            "XDG_CONFIG_HOME": str(self.home / ".config"),
            "XDG_CACHE_HOME": str(self.home / ".cache"),
            "XDG_DATA_HOME": str(self.home / ".local" / "share"),
            "XDG_STATE_HOME": str(self.home / ".local" / "state"),
            "XDG_RUNTIME_DIR": str(self.runtime),
            "TMPDIR": str(self.tmp),
            "QT_QPA_PLATFORM": "offscreen",
            "QTWEBENGINE_DISABLE_SANDBOX": "1",
        })
        return env

    def scanned(self) -> list[Path]:
        """The folders whose every file is scanned for secrets."""
        return [self.kp_home, self.home, self.tmp, self.runtime]


@dataclass
class Session:
    """Runs ``python -m kproducer ARGS`` processes; after each one, looks everywhere for secrets.

    Every file the processes could write is scanned after every process (so files rewritten
    or deleted later, e.g. the cache before ``cache clear``, are seen as they were), and so is
    everything each process printed. Loose permissions under ``KPRODUCER_HOME`` are noted
    after every process too.
    """

    places: Places
    secrets: dict[str, str]
    users_folders: set[Path] = field(default_factory=set)
    extra_env: dict[str, str] = field(default_factory=dict)
    printed: list[tuple[str, str, str]] = field(default_factory=list)
    seconds: list[tuple[str, float]] = field(default_factory=list)
    leaks: set[str] = field(default_factory=set)
    loose: set[str] = field(default_factory=set)
    scanned: set[Path] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.needles = [(f"the {what} ({form})", needle)
                        for what, secret in self.secrets.items()
                        for form, needle in encoded_forms(secret).items()]

    def __call__(self, *args: str, code: int = 0, timeout: float = 60) -> Result:
        started = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, "-m", "kproducer", *args],
            env={**self.places.env(), **self.extra_env}, capture_output=True, text=True,
            timeout=timeout, stdin=subprocess.DEVNULL, umask=UMASK,
        )
        command = " ".join(args[:2])
        self.seconds.append((command, round(time.perf_counter() - started, 2)))
        self.printed.append((command, proc.stdout, proc.stderr))
        self.scan(command, proc.stdout, proc.stderr)
        assert "Traceback" not in proc.stderr, proc.stderr
        assert proc.returncode == code, f"{command}: exit {proc.returncode}\n{proc.stderr}"
        return Result(proc.returncode, proc.stdout, proc.stderr)

    def json(self, *args: str, code: int = 0) -> dict:
        result = self(*args, "--json", code=code)
        document: dict = json.loads(result.out)
        return document

    def scan(self, command: str, out: str, err: str) -> None:
        """Look for the secrets in what ``command`` printed and in every file; check modes."""
        for stream, text in (("stdout", out), ("stderr", err)):
            data = text.encode()
            self.leaks.update(f"{what} on the {stream} of 'kproducer {command}'"
                              for what, needle in self.needles if needle in data)
        for folder in self.places.scanned():
            for path in regular_files(folder):
                self.scanned.add(path)
                data = path.read_bytes()
                self.leaks.update(f"{what} in {path} (after 'kproducer {command}')"
                                  for what, needle in self.needles if needle in data)
        if self.places.kp_home.exists():
            self.loose.update(loose_permissions(self.places.kp_home, self.users_folders))


@pytest.fixture
def secret_service() -> SecretService.Keyring:
    """The Secret Service the processes use (skips when there is none to use without prompt)."""
    problem = secret_service_problem()
    if problem:
        pytest.skip(problem)
    return SecretService.Keyring()


@pytest.fixture
def places(tmp_path: Path) -> Places:
    found = Places(tmp_path / "session")
    for folder in (found.home, found.tmp, found.runtime):
        folder.mkdir(parents=True, mode=0o700)
    return found  # KPRODUCER_HOME is left for kproducer to create


@pytest.fixture
def served(tmp_path: Path) -> Iterator[SandboxInfo]:
    """``kproducer sandbox serve`` as a process, with its data outside everything scanned."""
    home = tmp_path / "sandbox-home"
    env = {k: v for k, v in os.environ.items() if k not in DROPPED}
    env.update({"KPRODUCER_HOME": str(home), "HOME": str(home), "TMPDIR": str(tmp_path)})
    command = [sys.executable, "-m", "kproducer", "sandbox", "serve",
               "--data-dir", str(tmp_path / "sandbox-data")]
    with subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL, text=True) as server:
        try:
            assert server.stdout is not None
            line = server.stdout.readline()
            assert line, f"the sandbox did not start (exit {server.poll()})"
            yield SandboxInfo(**json.loads(line))
        finally:
            server.send_signal(signal.SIGTERM)
            server.wait(timeout=15)


def encoded_forms(secret: str) -> dict[str, bytes]:
    """The secret as bytes: plain, URL-encoded, UTF-16, and base64/base64url at any offset.

    Base64 inside a longer value depends on where the secret starts (mod 3 bytes), so for
    each offset only the characters made of the secret's own bits are kept.
    """
    raw = secret.encode()
    forms = {
        "plain": raw,
        "URL-encoded": quote(secret, safe="").encode(),
        "form-encoded": quote_plus(secret).encode(),
        "UTF-16": secret.encode("utf-16-le"),
    }
    for offset in range(3):
        encoded = base64.b64encode(bytes(offset) + raw)
        first = -(-8 * offset // 6)
        last = (8 * (offset + len(raw)) - 6) // 6
        core = encoded[first:last + 1]
        forms[f"base64 (offset {offset})"] = core
        forms[f"base64url (offset {offset})"] = core.translate(bytes.maketrans(b"+/", b"-_"))
    return forms


def regular_files(folder: Path) -> list[Path]:
    """Every regular file below ``folder`` (not sockets, pipes or symlinks)."""
    return [p for p in folder.rglob("*") if stat.S_ISREG(p.lstat().st_mode)]


def loose_permissions(root: Path, users_folders: set[Path]) -> list[str]:
    """Files with group/other bits and folders other than 0700 (``users_folders`` excepted)."""
    problems = []
    for path in [root, *root.rglob("*")]:
        info = path.lstat()
        mode = stat.S_IMODE(info.st_mode)
        if stat.S_ISDIR(info.st_mode):
            if path not in users_folders and mode != 0o700:
                problems.append(f"folder {path.relative_to(root.parent)} is {mode:04o}")
        elif stat.S_ISLNK(info.st_mode):
            problems.append(f"{path.relative_to(root.parent)} is a symlink")
        elif mode & 0o077:
            problems.append(f"file {path.relative_to(root.parent)} is {mode:04o}")
    return problems


def test_a_whole_session_keeps_its_secrets_in_the_keyring_only(
    secret_service: SecretService.Keyring, served: SandboxInfo, places: Places, tmp_path: Path,
) -> None:
    info = served
    cnc_token = next(
        t.token for t in make_client(info).appToken.list().objects
        if t.sessionPrivileges == "cncAuth:true"
    )
    secrets = {SecretKind.ADMIN_SECRET: info.admin_secret,
               SecretKind.CNC_APP_TOKEN: cnc_token,
               SecretKind.KME_SECRET: info.kme_secret}
    for secret in secrets.values():
        assert len(secret) >= 16
    kp_home = places.kp_home
    exports = kp_home / "exports"  # a folder of the user's (so: the user's permissions)
    kp = Session(places, {str(kind).replace("_", " "): v for kind, v in secrets.items()},
                 users_folders={exports})
    name = f"hygiene-{uuid.uuid4().hex[:8]}"
    p = ("--profile", name)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    try:
        # Connect: the secrets come in through the environment of `profile add` only.
        kp.extra_env = {
            "KALTURA_URL": info.service_url,
            "KALTURA_PARTNER_ID": str(info.partner_id),
            "KALTURA_ADMIN_USER_ID": info.admin_user_id,
            "KALTURA_PLAYER_UICONF_ID": str(info.player_uiconf_id),
            "KALTURA_CNC_UICONF_ID": str(info.cnc_uiconf_id),
            "KALTURA_KME_URL": info.kme_launch_url,
            "KALTURA_KME_KEY": info.kme_key,
            "KALTURA_ADMIN_SECRET": info.admin_secret,
            "KALTURA_CNC_APP_TOKEN": cnc_token,
            "KALTURA_KME_SECRET": info.kme_secret,
        }
        added = kp.json("profile", "add", name, "--sandbox")
        assert added["keyring"]["persistent"] is True, added["keyring"]
        assert added["secrets"] == {str(kind): "keyring" for kind in SecretKind}
        kp.extra_env = {}  # from here on, the secrets come from the keyring alone
        tested = kp.json("profile", "test", *p)
        assert tested["ok"] is True and tested["from_environment"] == []
        assert tested["secrets"] == {str(kind): "keyring" for kind in SecretKind}
        assert "accepted" in kp("profile", "test", *p).out
        kp("profile", "list")

        # An event, a live session and a room.
        event = kp.json("events", "create", "--name", f"Hygiene {name}", *p)["event"]
        live = kp.json("entries", "create", "--type", "live", "--name", "Hygiene live",
                       "--event", str(event["id"]), *p)["entry"]
        room = kp.json("entries", "create", "--type", "room", "--name", "Hygiene room",
                       "--event", str(event["id"]), *p)["entry"]

        # Moderators: one by one, then a CSV (with one bad row) and its report.
        kp.json("moderators", "add", "--entry", live["id"], "--user", f"{name}-host",
                "--email", "host@example.com", "--first-name", "Host", "--last-name", "One", *p)
        exports.mkdir(mode=0o755)
        exports.chmod(0o755)
        people = write_csv(inputs / "moderators.csv", "user_id,first_name,last_name,email",
                           [f"{name}-m{n},M{n},Mod,m{n}@example.com" for n in range(5)]
                           + ["bad id,Bad,Row,bad@example.com"])
        imported = kp.json("moderators", "import", "--entry", live["id"], "--csv", str(people),
                           "--report", str(exports / "moderators-report.csv"), *p, code=1)
        assert imported["summary"]["added"] == 5 and imported["summary"]["failed"] == 1

        # Preview: the real window, offscreen, with the moderator view in QtWebEngine.
        shots = kp_home / "screenshots"
        gui = kp("gui", *p, "--smoke-test", "--screenshot", str(shots), timeout=90)
        lines = gui.out.strip().splitlines()
        assert len(lines) == 1, gui.out
        report = json.loads(lines[0])
        assert report["account"] == name and report["preview_ready_ms"] > 0, report
        # the six tabs, Entries with a live session at two sizes, Accounts
        assert len(report["screenshots"]) == 9
        assert all(Path(shot).parent == shots for shot in report["screenshots"])

        # Signed links: player URLs, HTML pages (with chat), and the room's pages (KME).
        links_in = write_csv(inputs / "people.csv", "user_id,first_name,last_name,role",
                             [f"{name}-a{n},A{n},Att,attendee" for n in range(3)]
                             + [f"{name}-m0,M0,Mod,moderator"])
        urls = kp.json("links", "export", "--entry", live["id"], "--csv", str(links_in),
                       "--out", str(exports / "links.csv"), "--format", "url", *p)
        pages = kp.json("links", "export", "--entry", live["id"], "--csv", str(links_in),
                        "--out", str(exports / "pages"), "--format", "page", *p)
        rooms = kp.json("links", "export", "--entry", room["id"], "--csv", str(links_in),
                        "--out", str(exports / "room-pages"), "--format", "page", *p)
        for done in (urls, pages, rooms):
            assert done["summary"]["ok"] == 4, done
        assert len(list((exports / "pages").glob("*.html"))) == 4
        assert len(list((exports / "room-pages").glob("*.html"))) == 4

        # Live day: a scheduled live session, its details and encoder kit, an edit, and a
        # new stream key. The stream keys (and the SRT passphrase) join the secrets looked
        # for from the moment the server made them: they are credentials too.
        day = kp.json("entries", "create", "--type", "live", "--name", "Hygiene stage",
                      "--event", str(event["id"]), "--start", "2031-03-15T17:00",
                      "--end", "2031-03-15T18:00", *p)["entry"]

        def watch_stream_key() -> str:
            raw = make_client(info).liveStream.get(day["id"])
            for what, value in (("stream key", raw.streamPassword), ("SRT passphrase",
                                                                     raw.srtPass)):
                if value:
                    kp.needles += [(f"the {what} ({form})", needle)
                                   for form, needle in encoded_forms(value).items()]
            return str(raw.streamPassword)

        first_key = watch_stream_key()
        shown = kp.json("entries", "show", day["id"], *p)
        assert shown["encoder"]["stream_key"] is None and shown["schedule"]["start"]
        kp("entries", "show", day["id"], *p)
        kp("entries", "encoder", day["id"], *p)
        kp("entries", "update", day["id"], "--name", "Hygiene stage (final)", *p)
        kp("entries", "encoder", day["id"], "--regenerate", "--yes", *p)
        assert watch_stream_key() != first_key
        kp("entries", "show", day["id"], *p)
        kp("entries", "list", "--event", str(event["id"]), *p)

        # The cache: shown, then cleared.
        figures = kp.json("cache", "stats", *p)
        assert figures["available"] is True and sum(figures["entries"].values()) > 0
        kp("cache", "stats", *p)
        assert kp.json("cache", "clear", *p)["removed"] > 0

        # Everything that was looked at: kproducer's files, the exports, the screenshots.
        seen = {path.relative_to(kp_home).as_posix()
                for path in kp.scanned if path.is_relative_to(kp_home)}
        assert {"config/profiles.json", "cache/cache.sqlite3", "exports/links.csv",
                "exports/pages/links.csv", "exports/room-pages/links.csv",
                "exports/moderators-report.csv", "screenshots/05-preview.png"} <= seen, seen

        # The previews' QtWebEngine profiles are off the record: nothing of theirs on disk.
        assert not [path for path in kp.scanned if "QtWebEngine" in path.parts]

        # No secret anywhere, and everything kproducer made under KPRODUCER_HOME owner-only.
        assert not kp.leaks, "\n".join(sorted(kp.leaks))
        assert not kp.loose, "\n".join(sorted(kp.loose))

        # And the secrets are where they belong: in the Secret Service, until removed.
        for kind, secret in secrets.items():
            assert secret_service.get_password(SERVICE_NAME, username(name, kind)) == secret
        kp("profile", "remove", name)
        for kind in SecretKind:
            assert secret_service.get_password(SERVICE_NAME, username(name, kind)) is None
        assert not kp.leaks, "\n".join(sorted(kp.leaks))
    finally:  # the keyring is a throwaway one, but leave it as it was anyway
        for kind in SecretKind:
            with contextlib.suppress(keyring.errors.PasswordDeleteError):
                secret_service.delete_password(SERVICE_NAME, username(name, kind))
