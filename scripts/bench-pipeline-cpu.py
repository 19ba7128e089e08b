#!/usr/bin/env python3
"""CPU seconds of each stage of a running pipeline, for scripts/bench-pipeline.

Usage: bench-pipeline-cpu.py OUT NAME=PID...

Every 0.1 s, reads /proc: each process's user and system time and its
parent, and charges every process to the stage whose PID is its nearest
ancestor (a stage's children, such as sdc-spark-eval's Python driver,
its JVM and Python workers, count as the stage).  A process's time is its
last reading, so one that ends between two readings loses at most 0.1 s;
one that has already ended counts too.  SIGUSR1 takes the readings so far
as the baseline, subtracted at the end (what the stages took to start).
When every stage's process has ended, writes OUT: one line "NAME
SECONDS" per stage.
"""

import os
import signal
import sys
import time

TICK = os.sysconf("SC_CLK_TCK")


def read_stat(pid):
    """(ppid, cpu seconds) of pid, or None once it is gone."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            text = f.read().decode()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / TICK


def stage_of(pid, parents, roots):
    seen = 0
    while pid > 1 and seen < 64:
        if pid in roots:
            return roots[pid]
        pid = parents.get(pid, 0)
        seen += 1
    return None


def totals_of(charged, roots):
    totals = {n: 0.0 for n in roots.values()}
    for stage, seconds in list(charged.values()):
        totals[stage] += seconds
    return totals


def main(argv):
    out, pairs = argv[1], argv[2:]
    roots = {int(p): n for n, p in (a.split("=", 1) for a in pairs)}
    charged = {}  # pid -> (stage, seconds)
    parents = {}
    baseline = {}
    signal.signal(signal.SIGUSR1,
                  lambda *_: baseline.update(totals_of(charged, roots)))
    while True:
        alive = False
        for name in os.listdir("/proc"):
            if not name.isdigit():
                continue
            pid = int(name)
            st = read_stat(pid)
            if st is None:
                continue
            parents[pid] = st[0]
            stage = stage_of(pid, parents, roots)
            if stage is not None:
                charged[pid] = (stage, st[1])
                alive = alive or pid in roots
        if not alive:
            break
        time.sleep(0.1)
    totals = totals_of(charged, roots)
    with open(out, "w") as f:
        for name in roots.values():
            f.write(f"{name} {totals[name] - baseline.get(name, 0):.2f}\n")


if __name__ == "__main__":
    main(sys.argv)
