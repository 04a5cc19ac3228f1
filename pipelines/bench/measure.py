"""One measured task in a fresh child process: wall and CPU seconds of its work, rows, and peak RSS.

The child (`python -m pipelines.bench.child`) times only the work, not its imports or setup,
and prints the result as JSON. The peak resident set size is the kernel's record of that one
child (`os.wait4`), so nothing the parent or an earlier stage allocated counts against it.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parents[2]


class BenchError(RuntimeError):
    """A measured task failed; the message names it and ends with its stderr."""


@dataclass(frozen=True)
class Sample:
    """One run of one task."""

    seconds: float
    cpu_seconds: float  # user + system, all threads, of the timed work only
    rows: int
    peak_mib: float  # maximum resident set size of the whole child process
    extra: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Stat:
    """Several runs of one task: median and range of wall seconds, median CPU, highest peak."""

    seconds: float
    low: float
    high: float
    cpu_seconds: float
    rows: int
    peak_mib: float | None
    runs: int

    @classmethod
    def of(cls, samples: Sequence[Sample]) -> Stat:
        """Summarise samples (at least one)."""
        return cls.of_times(
            [s.seconds for s in samples],
            [s.cpu_seconds for s in samples],
            samples[0].rows,
            max(s.peak_mib for s in samples),
        )

    @classmethod
    def of_times(
        cls, seconds: Sequence[float], cpu: Sequence[float], rows: int, peak_mib: float | None
    ) -> Stat:
        """Summarise bare timings (for measurements a child reports several of, such as pages); NaN if none."""
        nan = float("nan")
        return cls(
            seconds=statistics.median(seconds) if seconds else nan,
            low=min(seconds, default=nan),
            high=max(seconds, default=nan),
            cpu_seconds=statistics.median(cpu) if cpu else nan,
            rows=rows,
            peak_mib=peak_mib,
            runs=len(seconds),
        )


def run_child(task: str, args: dict, env: dict[str, str] | None = None) -> Sample:
    """Run one task of pipelines.bench.child in a fresh interpreter and return its measurement."""
    command = [sys.executable, "-m", "pipelines.bench.child", task, json.dumps(args, default=str)]
    child_env = {**os.environ, **(env or {})}
    child_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), child_env.get("PYTHONPATH")]))
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(command, stdout=out, stderr=err, cwd=PROJECT_ROOT, env=child_env)
        try:
            # wait4, not wait: it returns the resource usage of this child alone.
            _, status, usage = os.wait4(process.pid, 0)
        except BaseException:
            process.kill()
            process.wait()
            raise
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    if process.returncode != 0:
        tail = "\n".join(stderr.strip().splitlines()[-15:])
        raise BenchError(f"bench task {task!r} failed with exit status {process.returncode}:\n{tail}")
    result = json.loads(stdout.strip().splitlines()[-1])
    return Sample(
        seconds=result["seconds"],
        cpu_seconds=result["cpu_seconds"],
        rows=result["rows"],
        peak_mib=usage.ru_maxrss / 1024,  # Linux reports KiB
        extra=result.get("extra", {}),
    )


def repeat(
    task: str,
    args: dict,
    runs: int,
    before: Callable[[int], None] | None = None,
    env: dict[str, str] | None = None,
) -> list[Sample]:
    """`runs` runs of a task, each in its own child; `before(i)` prepares run i (untimed)."""
    samples = []
    for index in range(runs):
        if before:
            before(index)
        samples.append(run_child(task, args, env))
    return samples
