#!/usr/bin/env python3
"""CPU seconds of each stage of a running pipeline, and how often each
link between two stages was backed up, for scripts/bench-pipeline.

Usage: bench-pipeline-cpu.py OUT NAME=PID... [LINK=FIFO...]

Every 0.1 s, reads /proc: each process's user and system time and its
parent, and charges every process to the stage whose PID is its nearest
ancestor (a stage's children, such as sdc-spark-eval's Python driver,
its JVM and Python workers, count as the stage).  A process's time is its
last reading, so one that ends between two readings loses at most 0.1 s;
one that has already ended counts too.  SIGUSR1 takes the readings so far
as the baseline, subtracted at the end (what the stages took to start).
When every stage's process has ended, writes OUT: one line "NAME
SECONDS" per stage.

A LINK is a named pipe between two stages (its name holds no digit-only
value after "="; a PID does).  From SIGUSR1 on, each reading also takes
the bytes waiting in each link (FIONREAD on a descriptor of our own,
which reads nothing): a link at three quarters of its capacity or more
is backed up, its reader slower than its writer.  The links are given
in the pipeline's order, each named after its reader: a reading where a
stage's input is backed up and its output is not (or it has none) is one
where that stage holds the pipeline back.  Each reading also takes the
share of the machine's CPU time that was busy since the one before.  OUT
then has a line "link LINK SHARE" per link (the share of the readings it
was backed up), "holds LINK SHARE" per link (the share its reader held
the pipeline back) and "busy SHARE" (the share of the readings with the
machine's CPU 90% busy or more).
"""

import array
import fcntl
import os
import signal
import sys
import termios
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


F_GETPIPE_SZ = 1032
BACKED_UP = 0.75


def open_links(pairs):
    """name -> descriptor of each named pipe, opened without blocking."""
    return {n: os.open(path, os.O_RDONLY | os.O_NONBLOCK)
            for n, path in pairs}


def backed_up(fd) -> bool:
    waiting = array.array("i", [0])
    fcntl.ioctl(fd, termios.FIONREAD, waiting)
    return waiting[0] >= BACKED_UP * fcntl.fcntl(fd, F_GETPIPE_SZ)


def cpu_ticks():
    """(busy, total) clock ticks of the machine's CPUs so far."""
    with open("/proc/stat") as f:
        ticks = [int(t) for t in f.readline().split()[1:]]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return sum(ticks) - idle, sum(ticks)


def take_links(links, full, holds):
    """Count which links are backed up now and which reader holds."""
    now = [backed_up(fd) for fd in links.values()]
    for i, name in enumerate(links):
        full[name] += now[i]
        holds[name] += now[i] and not (i + 1 < len(now) and now[i + 1])


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
    out = argv[1]
    pairs = [a.split("=", 1) for a in argv[2:]]
    roots = {int(v): n for n, v in pairs if v.isdigit()}
    links = open_links((n, v) for n, v in pairs if not v.isdigit())
    full = {n: 0 for n in links}
    holds = {n: 0 for n in links}
    readings = busy = 0
    ticks = cpu_ticks()
    charged = {}  # pid -> (stage, seconds)
    parents = {}
    baseline = {}
    started = []
    signal.signal(signal.SIGUSR1, lambda *_: (
        baseline.update(totals_of(charged, roots)), started.append(1)))
    while True:
        if started:
            readings += 1
            take_links(links, full, holds)
            before, ticks = ticks, cpu_ticks()
            busy += (ticks[0] - before[0]) >= 0.9 * max(ticks[1] - before[1], 1)
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
        for name, fd in links.items():
            f.write(f"link {name} {full[name] / max(readings, 1):.3f}\n")
            f.write(f"holds {name} {holds[name] / max(readings, 1):.3f}\n")
            os.close(fd)
        f.write(f"busy {busy / max(readings, 1):.3f}\n")


if __name__ == "__main__":
    main(sys.argv)
