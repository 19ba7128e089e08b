"""The Transformer base class, as StreamSets' SparkTransformer.

sdc-spark-eval makes one instance, calls init() once with the SparkContext
and the --param arguments, transform() once per batch with an RDD of
Records, and destroy() once at the end:

    from sdc_spark import Transformer

    class Loud(Transformer):
        def transform(self, rdd):
            good = rdd.filter(lambda r: "name" in r)
            bad = rdd.filter(lambda r: "name" not in r)
            return (good.map(shout), bad.map(lambda r: (r, "no name")))

transform() returns the results, an RDD of Records (or of plain values,
each the root of a new record), and the errors, an RDD of (Record,
message) pairs: as a pair, as a TransformResult, or the results alone.
Each RDD may be None.  transform() is called once at a time, in batch
order, but the call for a batch may come while the job collecting the
previous batch's output still runs; the functions of the RDDs it returns
are pickled when it returns, with the state they see then.  Functions
that run on the executors must be importable there: define them at
module level in the transformer's file (the driver ships that file to
the executors) or use lambdas.
"""

from typing import Any, NamedTuple

__all__ = ["Transformer", "TransformResult", "results_and_errors"]


class TransformResult(NamedTuple):
    """What transform() returns: the result records and the error pairs."""
    results: Any = None
    errors: Any = None


class Transformer:
    """Base class of transformers; override transform(), maybe init()."""

    sc = None
    params: list = []

    def init(self, sc, params):
        """Called once before the first batch; params is a list of str."""
        self.sc = sc
        self.params = list(params)

    def transform(self, rdd):
        """Called per batch with an RDD of Records; see the module doc."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define transform()")

    def destroy(self):
        """Called once after the last batch."""


def results_and_errors(out) -> TransformResult:
    """transform()'s return value, whichever of its forms, as a pair."""
    if out is None:
        return TransformResult()
    if isinstance(out, tuple):  # a TransformResult is a tuple too
        if len(out) != 2:
            raise TypeError(f"transform() returned a tuple of {len(out)} "
                            f"items, not (results, errors)")
        return TransformResult(*out)
    return TransformResult(out, None)
