"""Bounded off-loop execution in AsyncProcessingService."""

import asyncio
import threading
import time
from collections.abc import Iterator

import pytest

from shop.services.async_service import AsyncProcessingService


@pytest.fixture
def processing() -> Iterator[AsyncProcessingService]:
    """A two-worker pool, shut down after the test."""
    service = AsyncProcessingService(max_workers=2)
    yield service
    service.shutdown()


async def test_run_returns_result_from_worker_thread(
    processing: AsyncProcessingService,
) -> None:
    thread_name = await processing.run(lambda: threading.current_thread().name)

    assert thread_name.startswith("processing")


async def test_run_passes_arguments(processing: AsyncProcessingService) -> None:
    assert await processing.run(pow, 2, 10) == 1024


async def test_process_batch_preserves_order(
    processing: AsyncProcessingService,
) -> None:
    assert await processing.process_batch(lambda n: n * n, range(6)) == [
        0,
        1,
        4,
        9,
        16,
        25,
    ]


async def test_concurrency_is_bounded(processing: AsyncProcessingService) -> None:
    lock = threading.Lock()
    running = 0
    peak = 0

    def work(_: int) -> None:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.02)
        with lock:
            running -= 1

    await processing.process_batch(work, range(8))

    assert peak <= 2


async def test_event_loop_stays_responsive(processing: AsyncProcessingService) -> None:
    job = asyncio.create_task(processing.run(time.sleep, 0.2))
    started = time.perf_counter()
    await asyncio.sleep(0.01)

    assert time.perf_counter() - started < 0.1
    await job
