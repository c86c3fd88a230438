"""Shared pieces of the benchmark harness: timed child processes, statistics, rows.

Every timed command runs as a child process; its wall time is measured around
``Popen``/``os.wait4`` and its CPU time and peak RSS come from the rusage that
``wait4`` returns (CPU includes the children it waited for, e.g. ruff; peak RSS
is the largest single process of that tree, in MiB).
"""

from __future__ import annotations

import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BIN = Path(sys.executable).parent


def cache_root() -> Path:
    """Where the harness keeps what it may reuse between runs (the app venv)."""
    base = os.environ.get("BLUEPRINTGEN_BENCH_CACHE") or os.environ.get("XDG_CACHE_HOME")
    folder = Path(base) if base else Path.home() / ".cache"
    if not os.environ.get("BLUEPRINTGEN_BENCH_CACHE"):
        folder = folder / "blueprintgen-bench"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def tool(name: str) -> str:
    """An executable of the harness's own environment (falls back to PATH)."""
    candidate = BIN / name
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"benchmarks: {name!r} is not installed in {BIN} nor on PATH")
    return found


@dataclass
class Sample:
    """One timed child process."""

    wall: float
    cpu: float
    rss_mib: float


def run_timed(
    args: Sequence[str],
    *,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    timeout: float = 300,
    check: bool = True,
) -> Sample:
    """Run a command to completion; its wall time, CPU time and peak RSS."""
    full_env = {**os.environ, **(env or {})}
    start = time.perf_counter()
    proc = subprocess.Popen(
        list(args),
        cwd=cwd,
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    # Read output while it runs (a full pipe would block the child), then reap with wait4.
    assert proc.stdout is not None
    chunks: list[bytes] = []
    deadline = start + timeout
    os.set_blocking(proc.stdout.fileno(), False)
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(proc.stdout, selectors.EVENT_READ)
    while True:
        left = deadline - time.perf_counter()
        if left <= 0:
            proc.kill()
            proc.wait()
            raise RuntimeError(f"timed out after {timeout:.0f}s: {' '.join(args)}")
        if selector.select(timeout=min(left, 1.0)):
            data = proc.stdout.read()
            if not data:
                break
            chunks.append(data)
    selector.close()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    proc.stdout.close()
    if check and proc.returncode != 0:
        output = b"".join(chunks).decode(errors="replace")
        raise RuntimeError(f"exit {proc.returncode} from `{short(args)}`: {problem_of(output)}")
    return Sample(wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024)


def short(args: Sequence[str]) -> str:
    """A command for a message: program name and the first few arguments."""
    return " ".join([Path(args[0]).name, *[str(a) for a in args[1:4]], *(["…"] if len(args) > 4 else [])])


def problem_of(output: str) -> str:
    """The useful part of a failed command's output: its first error line, or its last line."""
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    for index, line in enumerate(lines):
        if line.lower().startswith(("error", "traceback")) or "Error:" in line:
            return " ".join(lines[index : index + 3])[:300]
    return " ".join(lines[-2:])[:300]


def median(values: Iterable[float]) -> float:
    items = list(values)
    return statistics.median(items) if items else float("nan")


@dataclass
class Series:
    """Repeated samples of one measured thing."""

    samples: list[Sample] = field(default_factory=list)

    def add(self, sample: Sample) -> None:
        self.samples.append(sample)

    @property
    def wall(self) -> float:
        return median(s.wall for s in self.samples)

    @property
    def cpu(self) -> float:
        return median(s.cpu for s in self.samples)

    @property
    def rss(self) -> float:
        return max((s.rss_mib for s in self.samples), default=float("nan"))

    @property
    def spread(self) -> tuple[float, float]:
        walls = [s.wall for s in self.samples]
        return (min(walls), max(walls)) if walls else (float("nan"), float("nan"))


def interleaved(
    cases: dict[str, Callable[[], Sample]],
    reps: int,
    *,
    setup: Callable[[str, int], None] | None = None,
) -> dict[str, Series]:
    """Run every case once per round, rounds repeated: noise from other load hits all alike."""
    results = {name: Series() for name in cases}
    for rep in range(reps):
        for name, case in cases.items():
            if setup is not None:
                setup(name, rep)
            results[name].add(case())
    return results


@dataclass
class Row:
    """One line of the results table."""

    section: str
    what: str
    value: str
    compare: str = ""
    goal: str = ""
    met: bool | None = None
    note: str = ""

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fmt_s(seconds: float) -> str:
    if seconds != seconds:  # nan
        return "n/a"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    return f"{seconds:.2f} s"


def fmt_ratio(ratio: float) -> str:
    return "n/a" if ratio != ratio else f"{ratio:.2f}×"


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        load = "n/a"
    try:
        mem_kib = next(
            int(line.split()[1])
            for line in Path("/proc/meminfo").read_text().splitlines()
            if line.startswith("MemTotal")
        )
        memory = f"{mem_kib / 1024 / 1024:.0f} GiB"
    except (OSError, StopIteration):
        memory = "n/a"
    return {
        "cpus": str(os.cpu_count()),
        "cpu": cpu or "unknown",
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        "load average at start": load,
        "date": time.strftime("%Y-%m-%d %H:%M %Z"),
    }


def versions(names: Iterable[str]) -> dict[str, str]:
    """Installed versions of the packages that matter to the numbers."""
    from importlib.metadata import PackageNotFoundError, version

    found: dict[str, str] = {}
    for name in names:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = "not installed"
    return found


def scratch(prefix: str) -> Path:
    """A fresh temporary folder (removed by the caller or at exit)."""
    return Path(tempfile.mkdtemp(prefix=f"bgbench-{prefix}-"))


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)
