"""Blocking and CPU-bound work off the event loop, with bounded concurrency."""

import asyncio
import functools
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
R = TypeVar("R")
T = TypeVar("T")


# The semaphore keeps waiting jobs on the event loop, where they can still be
# cancelled, instead of queueing them inside the executor. Threads suit work
# that releases the GIL (argon2 hashing, compression, most C extensions).
class AsyncProcessingService:
    """Run callables in a worker pool; at most `max_workers` run at once."""

    def __init__(self, max_workers: int) -> None:
        self._executor = ThreadPoolExecutor(
            max_workers=max_workers, thread_name_prefix="processing"
        )
        self._semaphore = asyncio.Semaphore(max_workers)

    async def run(
        self, func: Callable[P, R], /, *args: P.args, **kwargs: P.kwargs
    ) -> R:
        """Run `func(*args, **kwargs)` in the pool and return its result."""
        async with self._semaphore:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(
                self._executor, functools.partial(func, *args, **kwargs)
            )

    async def process_batch(
        self, func: Callable[[T], R], items: Iterable[T]
    ) -> list[R]:
        """Apply `func` to every item concurrently, preserving order."""
        return list(await asyncio.gather(*(self.run(func, item) for item in items)))

    def shutdown(self) -> None:
        """Cancel queued work and wait for running jobs to finish."""
        self._executor.shutdown(wait=True, cancel_futures=True)
