"""Alternating paired runs against a floor: the one way speed is measured here.

On a shared, noisy 2-core machine a single timing measures the neighbours, not congvan. So each
measure runs congvan (A) and its floor (B) back to back, the order alternating (AB, BA, AB…),
after one unmeasured warm-up of each, and reports the median of the pairwise ratios A/B with
their spread (min–max): the load a pair shares cancels out of its ratio.

- `commands(a, b, n)`: whole commands, one process per run, start-up included; wall and cpu
  (user+sys of the process tree). Python runs with its bytecode cached (as an installed
  package does): PYTHONDONTWRITEBYTECODE is dropped and the .pyc go to a scratch folder, not
  into the source tree.
- `calls(fa, fb, n)`: two in-process functions, same pairing, wall and process cpu.
- `Row` / `table(rows)`: `measure | congvan | floor | ratio [min–max]`.

    python bench/paired.py 7 '.venv/bin/congvan extract a.txt' '.venv/bin/python bench/floors/floor_text.py a.txt'
"""
from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = str(ROOT / ".venv" / "bin" / "python") if (ROOT / ".venv" / "bin" / "python").exists() else sys.executable
CONGVAN = str(ROOT / ".venv" / "bin" / "congvan") if (ROOT / ".venv" / "bin" / "congvan").exists() else "congvan"
FLOORS = ROOT / "bench" / "floors"


def bench_env() -> dict:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env.setdefault("PYTHONPYCACHEPREFIX", str(Path(tempfile.gettempdir()) / "congvan-bench-pyc"))
    return env


ENV = bench_env()


@dataclass
class Stats:
    wall: list = field(default_factory=list)
    cpu: list = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.wall)


@dataclass
class Pair:
    a: Stats
    b: Stats

    def ratios(self, kind: str = "wall") -> list[float]:
        xs, ys = getattr(self.a, kind), getattr(self.b, kind)
        return [x / y for x, y in zip(xs, ys) if y > 0]

    def ratio(self, kind: str = "wall") -> tuple[float, float, float]:
        r = self.ratios(kind)
        return statistics.median(r), min(r), max(r)


def run_command(cmd: str | list, cwd: Path = ROOT) -> tuple[float, float]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(cmd, shell=isinstance(cmd, str), cwd=cwd, env=ENV, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, executable="/bin/bash" if isinstance(cmd, str) else None)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode:
        raise RuntimeError(f"exit {proc.returncode}: {cmd}\n{proc.stderr.decode(errors='replace')[-2000:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def run_call(fn) -> tuple[float, float]:
    cpu0, start = time.process_time(), time.perf_counter()
    fn()
    return time.perf_counter() - start, time.process_time() - cpu0


def paired(run_a, run_b, n: int, warm: int = 1) -> Pair:
    for _ in range(warm):
        run_a()
        run_b()
    pair = Pair(Stats(), Stats())
    for i in range(n):
        order = ((run_a, pair.a), (run_b, pair.b)) if i % 2 == 0 else ((run_b, pair.b), (run_a, pair.a))
        for run, stats in order:
            wall, cpu = run()
            stats.wall.append(wall)
            stats.cpu.append(cpu)
    return pair


def commands(a: str, b: str, n: int = 5, warm: int = 1) -> Pair:
    return paired(lambda: run_command(a), lambda: run_command(b), n, warm)


def calls(fa, fb, n: int = 5, warm: int = 1) -> Pair:
    return paired(lambda: run_call(fa), lambda: run_call(fb), n, warm)


def built_once(path: Path, part: Path, build, docs: int) -> Path:
    """`path`, built by `build(part, docs)` the first time and kept for later runs; a build cut off
    before (its part and journal files) is thrown away, and a part becomes `path` only when whole."""
    if not path.exists():
        start = time.perf_counter()
        for stale in part.parent.glob(part.name + "*"):
            stale.unlink()
        build(part, docs)
        part.rename(path)
        print(f"  built {path.name} in {time.perf_counter() - start:.0f} s", file=sys.stderr)
    return path


def seconds(x: float) -> str:
    return f"{x * 1000:.0f} ms" if x < 1 else f"{x:.2f} s"


@dataclass
class Row:
    measure: str
    pair: Pair
    floor: str = "floor"
    unit: tuple | None = None  # (count, "docs") to print a rate as well
    goal: float | None = None

    def cells(self) -> list[str]:
        med, lo, hi = self.pair.ratio("wall")
        cmed = self.pair.ratio("cpu")[0]

        def shown(stats: Stats) -> str:
            text = seconds(stats.median)
            if self.unit:
                text += f" ({self.unit[0] / stats.median:.1f} {self.unit[1]}/s)"
            return text

        ratio = f"**{med:.2f}×** [{lo:.2f}–{hi:.2f}] (cpu {cmed:.2f}, n={len(self.pair.a.wall)})"
        if self.goal is not None:
            ratio += " ok" if med <= self.goal else f" > goal {self.goal}"
        return [self.measure, shown(self.pair.a), f"{self.floor} {shown(self.pair.b)}", ratio]


def table(rows: list) -> str:
    lines = ["| measure | congvan | floor | ratio |", "|---|---|---|---|"]
    for row in rows:
        lines.append("| " + " | ".join(row.cells() if isinstance(row, Row) else row) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    count, cmd_a, cmd_b = int(sys.argv[1]), sys.argv[2], sys.argv[3]
    print(table([Row(cmd_a, commands(cmd_a, cmd_b, count), floor=cmd_b)]))
