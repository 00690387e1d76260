"""services/bulk.py, shared by the link export and the moderator import: ordered, bounded,
cancellable batches."""

from __future__ import annotations

import random
import threading
import time

import pytest

from kproducer.services import bulk


def test_chunked_streams_lists():
    assert list(bulk.chunked(range(7), 3)) == [[0, 1, 2], [3, 4, 5], [6]]
    assert list(bulk.chunked([], 3)) == []


def test_results_come_back_in_input_order():
    def work(batch: list[int]) -> list[int]:
        time.sleep(random.random() / 200)
        return [n * 2 for n in batch]

    out = list(bulk.in_order(bulk.chunked(range(200), 7), work, workers=4,
                             skipped=lambda b: []))
    assert [n for batch, _ in out for n in batch] == list(range(200))
    assert [n for _, result in out for n in result] == [n * 2 for n in range(200)]


def test_at_most_workers_plus_one_batches_are_read_ahead():
    read = 0
    done = 0
    most_ahead = 0
    lock = threading.Lock()

    def batches():
        nonlocal read, most_ahead
        for n in range(40):
            with lock:
                read += 1
                most_ahead = max(most_ahead, read - done)
            yield [n]

    def work(batch: list[int]) -> int:
        time.sleep(0.002)
        return batch[0]

    for _ in bulk.in_order(batches(), work, workers=3, skipped=lambda b: -1):
        with lock:
            done += 1
    assert most_ahead <= 3 + 1


def test_cancel_skips_batches_not_started():
    cancel = threading.Event()
    seen = []
    for batch, result in bulk.in_order(bulk.chunked(range(10), 1), lambda b: "ran", workers=1,
                                       cancel=cancel, skipped=lambda b: "skipped"):
        seen.append(result)
        if batch == [2]:
            cancel.set()
    assert len(seen) == 10 and seen[:3] == ["ran"] * 3 and seen[-1] == "skipped"
    assert seen.count("ran") <= 5  # the batches already queued when cancel was set


def test_an_exception_in_work_reaches_the_caller():
    def work(batch: list[int]) -> int:
        if batch == [3]:
            raise RuntimeError("boom")
        return 0

    with pytest.raises(RuntimeError, match="boom"):
        list(bulk.in_order(bulk.chunked(range(10), 1), work, workers=2, skipped=lambda b: 0))
