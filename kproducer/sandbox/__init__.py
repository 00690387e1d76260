"""A local server that speaks the Kaltura API v3 the way Kaltura does.

Start it in-process (tests, ``kproducer --sandbox``)::

    with Sandbox(data_dir) as sandbox:
        info = sandbox.info   # service_url, partner_id, admin_secret, ...

or from the command line with ``kproducer sandbox serve``.
"""

from __future__ import annotations

from .runner import Sandbox, SandboxInfo

__all__ = ["Sandbox", "SandboxInfo"]
