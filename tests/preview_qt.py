"""QtWebEngine set up for the preview tests; import this before anything creates the QApplication.

QtWebEngine must be imported before the QApplication exists, and as root it needs Chromium's
sandbox off. A fake camera and microphone let the consent test reach the permission prompt
on machines without devices (it never answers the prompt by itself).
"""

from __future__ import annotations

import os

if hasattr(os, "geteuid") and os.geteuid() == 0:
    os.environ.setdefault("QTWEBENGINE_DISABLE_SANDBOX", "1")
_FLAG = "--use-fake-device-for-media-stream"
_flags = os.environ.get("QTWEBENGINE_CHROMIUM_FLAGS", "")
if _FLAG not in _flags:
    os.environ["QTWEBENGINE_CHROMIUM_FLAGS"] = f"{_flags} {_FLAG}".strip()

from PySide6 import QtWebEngineWidgets  # noqa: E402,F401
