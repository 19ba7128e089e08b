"""The Python side of sdc-tools: the record stream of sdc-record(5).

For transformers of sdc-spark-eval: Record, Transformer and the typed
value classes, which keep a record type that Python cannot tell apart
(see sdc_spark.record).  sdc_spark.codec reads and writes payloads and
frames; sdc_spark.sdcrecord is the reference implementation of the format.
"""

from .record import (Byte, Char, DecimalText, Float, Integer, ListMap,
                     RawDate, RawDatetime, RawZoned, Record, Short,
                     ZonedDateTime)
from .transformer import Transformer, TransformResult

__all__ = [
    "Record", "Transformer", "TransformResult", "Char", "Byte", "Short",
    "Integer", "Float", "ListMap", "DecimalText", "ZonedDateTime",
    "RawDate", "RawDatetime", "RawZoned",
]
