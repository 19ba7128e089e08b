"""The daily state of report.py: one JSON file per day in the state folder.

A day's file holds what the day's aggregates are made of, so that each
run merges new input into it and recomputes them exactly (see report.py
for the fields).  Files are written beside their place as a temp file,
synced, renamed over the old one and the folder synced, so that a run
killed at any moment leaves the old file or the new one, whole.  The
whole read-merge-write of a run holds an exclusive lock on the folder's
.lock file, so two runs at once (sdc-sparkjob --max-running) take turns.
"""

import fcntl
import json
import os
import re

DAY_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})\.json$")
VERSION = 1


class StateError(Exception):
    """A state file that cannot be read or is not a day's state."""


def empty_day(day):
    return {
        "version": VERSION,
        "day": day,
        "files": [],
        "records": {},
        "entries": [],
        "visits": [],
        "unmatched_exits": [],
        "unmatched_enters": [],
        "transitions": [],
        "shoppers": [],
        "promotions": [],
    }


def lock(folder):
    """Take the folder's lock; it is released when the returned file closes."""
    os.makedirs(folder, exist_ok=True)
    f = open(os.path.join(folder, ".lock"), "a+")
    fcntl.flock(f, fcntl.LOCK_EX)
    return f


def days(folder):
    """The days that have a state file, oldest first."""
    try:
        names = os.listdir(folder)
    except FileNotFoundError:
        return []
    return sorted(m.group(1) for m in map(DAY_FILE.match, names) if m)


def load(folder, day):
    path = os.path.join(folder, day + ".json")
    try:
        with open(path, encoding="utf-8") as f:
            state = json.load(f)
    except FileNotFoundError:
        return empty_day(day)
    except (OSError, ValueError) as e:
        raise StateError(f"{path}: {e}") from e
    if not isinstance(state, dict) or state.get("version") != VERSION \
            or state.get("day") != day:
        raise StateError(f"{path}: not the state of {day} (version {VERSION})")
    return state


def save(folder, day, state):
    text = json.dumps(state, sort_keys=True, separators=(",", ":"))
    write_atomically(os.path.join(folder, day + ".json"), text + "\n")


def write_atomically(path, text):
    folder = os.path.dirname(os.path.abspath(path))
    temp = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
    try:
        with open(temp, "w", encoding="utf-8") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.rename(temp, path)
    except BaseException:
        try:
            os.unlink(temp)
        except FileNotFoundError:
            pass
        raise
    fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
