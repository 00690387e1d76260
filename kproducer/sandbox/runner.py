"""Starting and stopping a sandbox server on a background thread."""

from __future__ import annotations

import threading
from dataclasses import asdict, dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

from . import (
    media_routes,
    services,  # noqa: F401 - registers the actions
    standins,
)
from .seed import Account, instance_id, seed
from .server import SandboxServer
from .store import Store, default_db_path


@dataclass(frozen=True)
class SandboxInfo:
    """How to reach and use a running sandbox (the JSON line of ``sandbox serve``)."""

    service_url: str
    partner_id: int
    admin_user_id: str
    admin_secret: str
    player_uiconf_id: int
    cnc_uiconf_id: int
    kme_launch_url: str
    kme_key: str
    kme_secret: str

    def as_dict(self) -> dict[str, Any]:
        """The fields in contract order."""
        return asdict(self)


class Sandbox:
    """One sandbox server with its SQLite state.

    Args:
        data_dir: Folder of the sandbox's database (created, owner-only).
        host: Address to bind; 127.0.0.1 unless told otherwise.
        port: TCP port; 0 picks a free one.
    """

    def __init__(self, data_dir: Path, host: str = "127.0.0.1", port: int = 0) -> None:
        self.data_dir = Path(data_dir)
        self.host = host
        self.port = port
        self._server: SandboxServer | None = None
        self._thread: threading.Thread | None = None
        self._info: SandboxInfo | None = None
        self.db: Store | None = None

    @property
    def info(self) -> SandboxInfo:
        """Connection details; only valid once started."""
        if self._info is None:
            raise RuntimeError("the sandbox is not running")
        return self._info

    @property
    def server(self) -> SandboxServer:
        """The HTTP server (for stats and faults in tests)."""
        if self._server is None:
            raise RuntimeError("the sandbox is not running")
        return self._server

    def start(self) -> SandboxInfo:
        """Open (and seed on first start) the database, then serve on a daemon thread."""
        self.data_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
        self.db = Store(default_db_path(self.data_dir))
        account = seed(self.db)
        self._server = SandboxServer((self.host, self.port), self.db)
        standins.register(self._server)
        media_routes.register(self._server)
        host, port = str(self._server.server_address[0]), int(self._server.server_address[1])
        self._info = _info(account, f"http://{host}:{port}")
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="kproducer-sandbox",
            daemon=True,
        )
        self._thread.start()
        return self._info

    @property
    def instance_id(self) -> str:
        """The database's own random ID (:func:`.seed.instance_id`); only once started."""
        if self.db is None:
            raise RuntimeError("the sandbox is not running")
        return instance_id(self.db)

    def serve_forever(self) -> None:
        """Block until :meth:`stop` is called from another thread or a signal handler."""
        if self._thread is not None:
            self._thread.join()

    def stop(self) -> None:
        """Stop serving, close connections and the database."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server.close_connections()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self.db is not None:
            self.db.close()
        self._server = self._thread = None
        self.db = None

    def __enter__(self) -> Sandbox:
        self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _info(account: Account, url: str) -> SandboxInfo:
    return SandboxInfo(
        service_url=url,
        partner_id=account.partner_id,
        admin_user_id=account.admin_user_id,
        admin_secret=account.admin_secret,
        player_uiconf_id=account.player_uiconf_id,
        cnc_uiconf_id=account.cnc_uiconf_id,
        kme_launch_url=f"{url}/kme/launch",
        kme_key=account.kme_key,
        kme_secret=account.kme_secret,
    )
