"""PySpark's daemon of Python workers, without its costs per task.

The driver names this module in spark.python.daemon.module for local
masters, whose executors import sdc_spark from the PYTHONPATH they
inherit.  It is pyspark.daemon, with two changes before each task of a
worker:

The task's socket acknowledges at once.  The JVM sends a task as two
writes, the command and then the data, with Nagle's algorithm on: the
data waits for the acknowledgement of the command, which the worker's
kernel delays by 40 ms because the worker answered the previous task on
the same socket, so that the connection looks interactive.  TCP_QUICKACK
takes it out of that mode; TCP_NODELAY does the same for the worker's
own writes.

What is alive is frozen out of the garbage collector's sight
(gc.freeze).  The daemon calls gc.collect() after every task, which
would go over every object of pyspark and of the codec each time, some
40,000, taking longer than a small task itself; and so would the
collections that decoding a batch's records sets off.  Freezing after
that collect keeps only live objects out.
"""

import gc
import socket

import pyspark.daemon as _daemon

_worker = _daemon.worker


def _quick(sock) -> None:
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_QUICKACK, 1)
    except (OSError, AttributeError):  # not TCP, or not Linux
        pass


def worker(sock, authenticated):
    """One task of a forked worker (pyspark.daemon.worker)."""
    _quick(sock)
    gc.freeze()
    return _worker(sock, authenticated)


_daemon.worker = worker

if __name__ == "__main__":
    _daemon.manager()
