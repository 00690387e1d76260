"""Shared fixtures: a real sandbox over real HTTP, and real KalturaClient instances.

Every test gets its own ``KPRODUCER_HOME`` so nothing touches the developer's files.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from KalturaClient import KalturaClient, KalturaConfiguration

from kproducer.sandbox import Sandbox, SandboxInfo

#: Fixtures for running the command line (kp, account_env, dict_keyring...).
pytest_plugins = ("cli_support", "keyring_support", "warning_logs")


@pytest.fixture(autouse=True, scope="session")
def _collect_on_the_main_thread() -> Iterator[None]:
    """Python's collector off for the run (:mod:`kproducer.ui.gui_gc`): a collection that
    starts in a sandbox or worker thread can delete a Qt wrapper there, which crashed the
    suite under load. What is due is collected between tests, on the main thread."""
    import gc

    gc.disable()
    yield
    gc.enable()


@pytest.fixture(autouse=True)
def _collect_due_between_tests() -> Iterator[None]:
    from kproducer.ui.gui_gc import collect_due

    yield
    collect_due()


@pytest.fixture(autouse=True)
def kproducer_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point every kproducer location at a fresh folder."""
    home = tmp_path / "kproducer-home"
    monkeypatch.setenv("KPRODUCER_HOME", str(home))
    return home


@pytest.fixture(scope="session")
def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Sandbox]:
    """One sandbox for the whole run (its state is shared; tests use unique ids)."""
    with Sandbox(tmp_path_factory.mktemp("sandbox")) as running:
        yield running


@pytest.fixture
def fresh_sandbox(tmp_path: Path) -> Iterator[Sandbox]:
    """A sandbox of its own, for tests that count requests or inject faults."""
    with Sandbox(tmp_path / "sandbox") as running:
        yield running


@pytest.fixture
def info(sandbox: Sandbox) -> SandboxInfo:
    """Connection details of the shared sandbox."""
    return sandbox.info


def make_ks(
    info: SandboxInfo,
    user_id: str | None = None,
    session_type: int = 2,
    expiry: int = 3600,
    privileges: str = "",
    secret: str | None = None,
    partner_id: int | None = None,
) -> str:
    """A KS v2 generated locally, as kproducer does (never session.start)."""
    return KalturaClient.generateSessionV2(
        secret or info.admin_secret,
        info.admin_user_id if user_id is None else user_id,
        session_type,
        info.partner_id if partner_id is None else partner_id,
        expiry,
        privileges,
    ).decode()


def make_client(info: SandboxInfo, ks: str | None = None) -> KalturaClient:
    """A real KalturaClient against the sandbox, with an admin KS unless one is given."""
    config = KalturaConfiguration()
    config.serviceUrl = info.service_url
    client = KalturaClient(config)
    client.setKs(make_ks(info) if ks is None else ks)
    return client


@pytest.fixture
def admin(info: SandboxInfo) -> KalturaClient:
    """A client with an admin session on the shared sandbox."""
    return make_client(info)


@pytest.fixture
def client_for(info: SandboxInfo) -> Callable[..., KalturaClient]:
    """Build clients with any KS: ``client_for(user_id="bob", session_type=0)``."""

    def build(**kwargs: Any) -> KalturaClient:
        return make_client(info, make_ks(info, **kwargs))

    return build


@pytest.fixture
def unique() -> Callable[[str], str]:
    """Unique ids so tests sharing the sandbox never collide."""
    counter = iter(range(1_000_000))
    import uuid

    run = uuid.uuid4().hex[:8]
    return lambda prefix="id": f"{prefix}-{run}-{next(counter)}"


def stats(info: SandboxInfo) -> dict[str, Any]:
    """The sandbox's request counters."""
    data: dict[str, Any] = requests.get(f"{info.service_url}/_sandbox/stats", timeout=5).json()
    return data


def reset_stats(info: SandboxInfo) -> None:
    """Zero the sandbox's request counters."""
    requests.post(f"{info.service_url}/_sandbox/stats/reset", timeout=5).raise_for_status()


def set_faults(info: SandboxInfo, **faults: Any) -> None:
    """Inject faults (``{}`` clears them)."""
    requests.post(f"{info.service_url}/_sandbox/faults", json=faults, timeout=5).raise_for_status()


# --- desktop window (tests/test_ui_*.py) ---------------------------------------------------


@pytest.fixture
def open_window(qtbot: Any) -> Iterator[Callable[..., Any]]:
    """``open_window(info)``: a shown MainWindow on that sandbox, events and entries loaded.

    Keyword arguments override the connection settings (``read_timeout=2, max_retries=0``).
    """
    from kproducer.activity import ActivityLog
    from kproducer.ui import session
    from kproducer.ui.main_window import MainWindow

    windows: list[Any] = []

    def build(sandbox_info: SandboxInfo, **connection: Any) -> Any:
        window = MainWindow(ActivityLog())
        window.confirm_quit = False
        qtbot.addWidget(window)
        window.show()
        windows.append(window)
        loaded = [window.events.eventsLoaded, window.entries.entriesLoaded]
        with qtbot.waitSignals(loaded, timeout=20_000):
            window.connect_to(
                "Sandbox",
                lambda activity: session.open_sandbox_account(activity, sandbox_info, **connection),
            )
        return window

    yield build
    for window in windows:
        window.worker.shutdown(20_000)


@pytest.fixture
def window(open_window: Callable[[SandboxInfo], Any], info: SandboxInfo) -> Any:
    """A MainWindow connected to the shared sandbox, its events and entries loaded."""
    return open_window(info)
