"""The desktop citizen: icon, menu entry, AppStream metainfo, About box (issue 16, item 11)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ElementTree
from pathlib import Path

import pytest

from kproducer import __version__, paths

ROOT = Path(__file__).resolve().parent.parent
INSTALL = ROOT / "scripts" / "install-desktop"
DESKTOP = ROOT / "desktop" / "kproducer.desktop"
METAINFO = ROOT / "desktop" / "kproducer.metainfo.xml"


def test_app_icon_has_every_size(qapp: object) -> None:
    from kproducer.ui.app_icon import SIZES, app_icon

    icon = app_icon()
    assert not icon.isNull()
    assert sorted(s.width() for s in icon.availableSizes()) == sorted(SIZES)


def test_make_application_sets_the_icon_in_a_fresh_process() -> None:
    code = ("import os; os.environ['QT_QPA_PLATFORM']='offscreen';"
            "from kproducer.app import make_application; a = make_application();"
            "print(sorted(s.width() for s in a.windowIcon().availableSizes()))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60, check=True)
    assert done.stdout.strip() == "[16, 24, 32, 48, 64, 128, 256, 512]"


def test_about_names_versions_and_where_files_live() -> None:
    from importlib import metadata

    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import qVersion

    from kproducer.ui.menus import about_text

    text = about_text()
    assert f"kproducer {__version__}" in text
    assert f"Qt {qVersion()}" in text and f"PySide6 {pyside_version}" in text
    assert f"KalturaClient {metadata.version('KalturaApiClient')}" in text
    for where in (paths.config_dir(), paths.cache_dir(), paths.data_dir(), paths.log_dir()):
        assert str(where) in text


def test_desktop_entry_is_valid() -> None:
    validate = shutil.which("desktop-file-validate")
    if validate is None:
        pytest.skip("desktop-file-validate is not installed (Debian: desktop-file-utils)")
    done = subprocess.run([validate, str(DESKTOP)], capture_output=True, text=True)
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_metainfo_is_valid() -> None:
    root = ElementTree.parse(METAINFO).getroot()
    assert root.get("type") == "desktop-application"
    assert root.findtext("id") == "kproducer"
    assert root.find("launchable").text == "kproducer.desktop"  # type: ignore[union-attr]
    assert root.find("releases/release").get("version") == __version__  # type: ignore[union-attr]
    appstreamcli = shutil.which("appstreamcli")
    if appstreamcli is None:
        pytest.skip("appstreamcli is not installed (Debian: appstream)")
    # The ID is the app's plain name: kproducer owns no domain to make a reverse-DNS one of.
    done = subprocess.run([appstreamcli, "validate", "--no-net",
                           "--override=cid-desktopapp-is-not-rdns=info", str(METAINFO)],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


def test_install_desktop_puts_files_for_this_user_only_and_uninstalls_them(
    tmp_path: Path,
) -> None:
    data_home = tmp_path / "share"
    executable = Path(sys.executable).parent / "kproducer"
    done = subprocess.run([sys.executable, str(INSTALL), "--exec", str(executable),
                           "--data-home", str(data_home)],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    entry = (data_home / "applications" / "kproducer.desktop").read_text(encoding="utf-8")
    assert f"Exec={executable.resolve()}\n" in entry
    assert "Icon=kproducer\n" in entry
    for size in (16, 32, 48, 128, 256, 512):
        assert (data_home / f"icons/hicolor/{size}x{size}/apps/kproducer.png").is_file()
    assert (data_home / "icons/hicolor/scalable/apps/kproducer.svg").is_file()
    assert (data_home / "metainfo/kproducer.metainfo.xml").is_file()
    if shutil.which("desktop-file-validate"):
        check = subprocess.run(["desktop-file-validate",
                                str(data_home / "applications" / "kproducer.desktop")],
                               capture_output=True, text=True)
        assert check.returncode == 0, check.stdout
    gone = subprocess.run([sys.executable, str(INSTALL), "--uninstall",
                           "--data-home", str(data_home)], capture_output=True, text=True)
    assert gone.returncode == 0
    assert not any(p.name.startswith("kproducer") for p in data_home.rglob("*") if p.is_file())


def test_install_desktop_refuses_a_missing_executable(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, str(INSTALL), "--exec", str(tmp_path / "nope"),
                           "--data-home", str(tmp_path / "share")],
                          capture_output=True, text=True)
    assert done.returncode == 2
    assert "no kproducer executable" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "share").exists()
