"""WARNING (and worse) log records fail the test that caused them, as warnings do.

Python warnings are errors (``filterwarnings`` in pyproject.toml) and Qt messages of WARNING
and above fail tests (``qt_log_level_fail``); this plugin does the same for the ``logging``
module. A test that *means* to provoke such a record says so with
``@pytest.mark.allow_warning_logs("logger", r"message regex")`` (repeatable); records that
are normal everywhere go on :data:`ALLOWED` with a comment saying why.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator

import pytest

#: (logger name, message regex) pairs that never fail a test. Keep each one commented.
ALLOWED: list[tuple[str, str]] = [
    # Nothing yet: every WARNING kproducer logs is a defect or a test's own doing.
]


def _allowed(record: logging.LogRecord, rules: list[tuple[str, str]]) -> bool:
    message = record.getMessage()
    return any(
        (record.name == name or record.name.startswith(name + ".")) and re.search(pattern, message)
        for name, pattern in rules
    )


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "allow_warning_logs(logger, pattern): this test expects WARNING log records from "
        "that logger whose message matches the regex",
    )


@pytest.fixture(autouse=True)
def _fail_on_warning_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    yield
    rules = list(ALLOWED)
    for marker in request.node.iter_markers("allow_warning_logs"):
        rules.append((marker.args[0], marker.args[1]))
    bad = [
        record
        for phase in ("setup", "call")
        for record in caplog.get_records(phase)  # type: ignore[arg-type]
        if record.levelno >= logging.WARNING and not _allowed(record, rules)
    ]
    if bad:
        lines = "\n".join(
            f"  {r.levelname} {r.name}: {r.getMessage()}" for r in bad[:10]
        )
        pytest.fail(f"{len(bad)} WARNING-or-worse log record(s) during the test:\n{lines}",
                    pytrace=False)
