"""The suite's own rule: a WARNING log record fails the test, unless the test expects it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ("pytester",)

PLUGIN = Path(__file__).with_name("warning_logs.py").read_text()


# The inner run happens in this process: its records reach this test's log capture too.
@pytest.mark.allow_warning_logs("kproducer.sample", ".")
def test_a_warning_log_fails_and_an_expected_one_does_not(pytester: pytest.Pytester) -> None:
    pytester.makepyfile(warning_logs=PLUGIN)
    pytester.makeconftest('pytest_plugins = ("warning_logs",)')
    pytester.makepyfile(
        test_sample="""
        import logging
        import threading

        import pytest

        log = logging.getLogger("kproducer.sample")

        def test_quiet():
            log.info("fine")

        def test_warns():
            log.warning("disk almost full")

        def test_error_on_another_thread():
            thread = threading.Thread(target=lambda: log.error("worker broke"))
            thread.start()
            thread.join()

        @pytest.mark.allow_warning_logs("kproducer.sample", r"almost full")
        def test_expected():
            log.warning("disk almost full")

        @pytest.mark.allow_warning_logs("kproducer.sample", r"almost full")
        def test_expected_but_another_one_too():
            log.warning("disk almost full")
            log.warning("something else")
        """
    )
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=5, errors=3)
    result.stdout.fnmatch_lines([
        "*WARNING kproducer.sample: disk almost full*",
        "*ERROR kproducer.sample: worker broke*",
        "*WARNING kproducer.sample: something else*",
    ])
