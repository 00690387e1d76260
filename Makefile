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

.PHONY: all setup run test pytest lint clean distclean

all: test

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/kproducer --sandbox

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/mypy kproducer

pytest: $(STAMP)
ifneq ($(HAVE_KEYRING),yes)
	@echo "note: dbus-run-session or gnome-keyring-daemon is missing; the keyring tests will skip"
endif
	$(TEST_ENV) $(KEYRING) $(BIN)/python -m pytest $(PYTEST_ARGS)

test: lint pytest

clean:
	rm -rf .pytest_cache .mypy_cache .ruff_cache .hypothesis build dist screenshots *.egg-info
	find . -path ./$(VENV) -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV)
