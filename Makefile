# kproducer: `make run` starts the app on its demo sandbox, `make test` checks everything.
# Nothing here needs an activated virtualenv: every tool runs from .venv/bin.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
# Re-install only when pyproject.toml changes (or the venv is new).
STAMP  := $(VENV)/.kproducer-installed

# The whole suite runs headless: Qt renders offscreen, and QtWebEngine's Chromium sandbox
# is off (it refuses to start as root, e.g. in CI).
TEST_ENV := QT_QPA_PLATFORM=offscreen QTWEBENGINE_DISABLE_SANDBOX=1

# Where dbus and gnome-keyring exist, run the tests in a private D-Bus session with an
# unlocked gnome-keyring as the real Secret Service; elsewhere the `keyring` tests skip.
HAVE_KEYRING := $(shell command -v dbus-run-session >/dev/null 2>&1 \
                  && command -v gnome-keyring-daemon >/dev/null 2>&1 && echo yes)
ifeq ($(HAVE_KEYRING),yes)
KEYRING := scripts/with-keyring
else
KEYRING :=
endif

PYTEST_ARGS ?=

.PHONY: all setup run test pytest lint clean distclean bundle bundle-check bundle-archive install-desktop uninstall-desktop

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

# The Node judge (tests/test_node_judge.py): Kaltura's official Node client, pinned in
# tests/node_judge/package-lock.json, installed from the npm registry only here.
HAVE_NPM    := $(shell command -v npm >/dev/null 2>&1 && echo yes)
JUDGE_STAMP := tests/node_judge/node_modules/.package-lock.json
ifeq ($(HAVE_NPM),yes)
JUDGE_DEPS  := $(JUDGE_STAMP)
else
JUDGE_DEPS  :=
endif

$(JUDGE_STAMP): tests/node_judge/package.json tests/node_judge/package-lock.json
	cd tests/node_judge && npm ci --no-audit --no-fund --loglevel=error
	touch $@

setup: $(STAMP) $(JUDGE_DEPS)

run: $(STAMP)
	$(BIN)/kproducer --sandbox

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy kproducer

pytest: $(STAMP) $(JUDGE_DEPS)
ifneq ($(HAVE_KEYRING),yes)
	@echo "note: dbus-run-session or gnome-keyring-daemon is missing; the keyring tests will skip"
endif
	$(TEST_ENV) $(KEYRING) $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

# The desktop bundle (README "Desktop bundle"): PyInstaller, one folder, dist/kproducer/.
# `make bundle` always rebuilds; `make bundle-check` rebuilds only when a source is newer.
BUNDLE        := dist/kproducer/kproducer
BUNDLE_STAMP  := $(VENV)/.kproducer-bundle-installed
BUNDLE_INPUTS := kproducer.spec pyproject.toml scripts/install-desktop scripts/icu_data.py \
                 $(shell find kproducer desktop bundle_hooks -type f -not -path '*/__pycache__/*' 2>/dev/null)
# --log-level WARN: only what needs a look (its INFO log is ~300 lines). Known, harmless:
# "Hidden import pycparser.lextab/yacctab, setuptools._distutils not found" and "Library
# ole32/shell32 required via ctypes not found" (Windows-only code paths in dependencies).
PYINSTALLER   := $(BIN)/pyinstaller kproducer.spec --noconfirm --log-level WARN --distpath dist --workpath build

$(BUNDLE_STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[bundle]'
	touch $@

# PyInstaller may copy an executable it cached from an earlier build (old mtime): touch it,
# so that make and tests/test_bundle.py see the bundle as newer than its sources.
bundle: $(BUNDLE_STAMP)
	$(PYINSTALLER)
	touch $(BUNDLE)

$(BUNDLE): $(BUNDLE_INPUTS) | $(BUNDLE_STAMP)
	$(PYINSTALLER)
	touch $@

bundle-check: $(BUNDLE) $(STAMP)
	$(TEST_ENV) $(BIN)/python scripts/bundle-check

# One compressed file to download (dist/kproducer-VERSION-linux-ARCH.tar.zst), unpacked again
# and smoke-tested by scripts/bundle-archive.
bundle-archive: $(BUNDLE) $(STAMP)
	$(TEST_ENV) $(BIN)/python scripts/bundle-archive

# The menu entry, icons and AppStream metainfo for this user (~/.local/share), starting
# .venv/bin/kproducer. From a bundle: dist/kproducer/share/install-desktop.
install-desktop: $(STAMP)
	$(BIN)/python scripts/install-desktop --exec $(BIN)/kproducer

uninstall-desktop:
	$(PYTHON) scripts/install-desktop --uninstall

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist screenshots *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
