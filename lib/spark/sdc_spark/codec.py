"""Fast record payloads and frames, for the Spark tasks.

The wire format is that of sdc-record(5), and sdcrecord.py is its
reference implementation: this module reads and writes the same bytes
(the tests compare the two on every test vector) but gives the native
values of record.py instead of a tree of Fields.  It runs in every Spark
task, once per record each way, so the loops are written for CPython:
local variables, bytes indexing, the common field types of a map handled
inline, one-byte varints without a call.  Malformed payloads raise
sdcrecord.Malformed with the reasons of sdc-record(5); values that have
no record type raise EncodeError, naming the path of the value.

The end of the module holds what the Spark tasks of a batch run:
decode_chunk, encode_results and encode_errors.
"""

import datetime as _dt
import decimal as _decimal
import os
import re
import struct
import time
import zipimport
import zoneinfo
from operator import is_ as _is

from . import sdcrecord
from .record import (Byte, Char, DecimalText, Float, Integer, ListMap,
                     RawDate, RawDatetime, RawZoned, Record, Short,
                     ZonedDateTime, _build, _LazyRecord, _new_record)
from .sdcrecord import MAX_DEPTH, Malformed

try:
    from crc32c import crc32c as _crc32c
except ImportError:  # the standard library has no CRC-32C
    _crc32c = sdcrecord.crc32c

__all__ = ["decode", "encode", "frame", "split_frames", "chunks",
           "stream_header", "EncodeError", "Malformed", "crc32c",
           "decode_chunk", "encode_results", "encode_errors"]

KIND_DATA, KIND_ERROR, KIND_EVENT, KIND_BATCH, KIND_END = 1, 2, 3, 4, 5
STAGE = "sdc-spark-eval"
MAX_RECORD = sdcrecord.DEFAULT_MAX_RECORD

TYPE_NAMES = sdcrecord.TYPE_NAMES
TYPE_CODES = sdcrecord.TYPE_CODES
UINT64_MAX = (1 << 64) - 1
INT64_MIN, INT64_MAX = -(1 << 63), (1 << 63) - 1
US_PER_DAY = 86_400_000_000
MAX_OFFSET = 18 * 3600

_UTC = _dt.timezone.utc
_EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_UTC)
_EPOCH_NAIVE = _dt.datetime(1970, 1, 1)
_DATE_BASE = _dt.date(1970, 1, 1).toordinal()
_MIN_ORDINAL, _MAX_ORDINAL = 1, _dt.date.max.toordinal()
# The microseconds of the first and last instants a datetime can show.
_MIN_US = (_dt.datetime.min - _EPOCH_NAIVE) // _dt.timedelta(microseconds=1)
_MAX_US = (_dt.datetime.max - _EPOCH_NAIVE) // _dt.timedelta(microseconds=1)
_timedelta = _dt.timedelta
_datetime_type = _dt.datetime
_ONE_US = _dt.timedelta(microseconds=1)

_DECIMAL_BYTES = re.compile(rb"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
_DECIMAL_TEXT = sdcrecord.DECIMAL_RE

_HEAD = struct.Struct("<BI")
_U32 = struct.Struct("<I")
_FLOAT = struct.Struct("<f")
_DOUBLE = struct.Struct("<d")


def crc32c(data, crc=0) -> int:
    """CRC-32C, from the crc32c package when it is installed."""
    return _crc32c(data, crc)


# ---------------------------------------------------------------- decoding

def decode(kind: int, payload) -> Record:
    """The Record of a DATA, ERROR or EVENT payload (bytes-like).

    Raises Malformed with the reason of sdc-record(5), as sdcrecord does.
    """
    if kind not in (KIND_DATA, KIND_ERROR, KIND_EVENT):
        raise ValueError(f"frames of kind {kind} hold no record")
    buf = payload if type(payload) is bytes else bytes(payload)
    try:
        return _record(buf, kind)
    except IndexError:  # every read past the end comes here
        raise Malformed("truncated") from None
    except UnicodeDecodeError:
        raise Malformed("bad utf-8") from None


def load_lazy(record) -> None:
    """Decode a lazy record's payload into it: a plain Record now."""
    try:
        parts = _parts(record._raw, KIND_DATA)
    except IndexError:
        raise Malformed("truncated") from None
    except UnicodeDecodeError:
        raise Malformed("bad utf-8") from None
    record.__class__ = Record
    (record.value, record.id, record.stages, record.attributes,
     record.null_types, record.error, record.event,
     record.field_attributes) = parts
    value = parts[0]
    if not parts[3] and not parts[4] and not parts[7] and \
            type(value) is dict and \
            _FLAT.issuperset(map(type, value.values())):
        record._raw = (record._raw, value, tuple(value),
                       tuple(value.values()))
    else:
        record._raw = None


# The types of values that cannot change in place, of the flat maps whose
# records are written from their bytes while they stay as they were read.
_FLAT = frozenset((str, int, float, bool, bytes, _datetime_type, _dt.date,
                   _dt.time, Char, Byte, Short, Integer, Float, RawDate,
                   RawDatetime, RawZoned))


def _unchanged(record, seen) -> bool:
    """Whether a record decoded from a flat map without attributes or
    nulls is still as it was read: the same map holding the same keys
    and the very same values, no attributes or nulls, the same id and
    stages.  The header is compared last, read again from the bytes."""
    raw, value, keys, values = seen
    v = record.value
    a, n = record.attributes, record.null_types
    fa = record.field_attributes
    if not (v is value and len(v) == len(values)
            and all(map(_is, v.values(), values)) and tuple(v) == keys
            and type(a) is dict and not a and type(n) is dict and not n
            and type(fa) is dict and not fa):
        return False
    id_, pos = _text(raw, 0)
    count, pos = _count(raw, pos, 1)
    stages = []
    for _ in range(count):
        stage, pos = _text(raw, pos)
        stages.append(stage)
    return record.id == id_ and record.stages == stages


def _record(buf: bytes, kind: int) -> Record:
    return _build(*_parts(buf, kind))


def _parts(buf: bytes, kind: int) -> tuple:
    """The value and header of a record, in the order of _build's."""
    pos = 0
    id_, pos = _text(buf, pos)
    n, pos = _count(buf, pos, 1)
    stages = []
    for _ in range(n):
        stage, pos = _text(buf, pos)
        stages.append(stage)
    n, pos = _count(buf, pos, 2)
    attributes, pos = _pairs(buf, pos, n)
    error = event = None
    if kind == KIND_ERROR:
        code, pos = _text(buf, pos)
        message, pos = _text(buf, pos)
        stage, pos = _text(buf, pos)
        ts, pos = _varint(buf, pos)
        error = (code, message, stage, (ts >> 1) ^ -(ts & 1))
    elif kind == KIND_EVENT:
        type_, pos = _text(buf, pos)
        version, pos = _varint(buf, pos)
        ts, pos = _varint(buf, pos)
        event = (type_, version, (ts >> 1) ^ -(ts & 1))
    nulls = _PathTables()
    t = buf[pos]
    if t == 0x11:
        value = {}
        pos = _map(buf, pos + 1, 1, (), [], nulls, value)
    else:
        value, pos = _field(buf, pos + 1, t, 1, (), [], nulls)
    if pos != len(buf):
        raise Malformed("trailing bytes")
    return (value, id_, stages, attributes, dict(nulls), error, event,
            nulls.field_attributes)


class _PathTables(dict):
    """A record's null types, by path, and its field attributes beside.

    The decoder and encoder hand this down the tree as the null types;
    field_attributes maps paths to the attributes of their fields."""
    __slots__ = ("field_attributes",)

    def __init__(self, null_types=(), field_attributes=None):
        super().__init__(null_types)
        self.field_attributes = {} if field_attributes is None else \
            field_attributes


def _field_attributes(buf, pos):
    """The attributes after a type byte with the attributes bit."""
    n, pos = _count(buf, pos, 2)
    if n == 0:
        raise Malformed("field attributes flag without any")
    return _pairs(buf, pos, n)


def _pairs(buf, pos, n):
    """n keys and values of text, the keys unique, and the next pos."""
    pairs = {}
    for _ in range(n):
        key, pos = _text(buf, pos)
        if key in pairs:
            raise Malformed("duplicate key")
        pairs[key], pos = _text(buf, pos)
    return pairs, pos


def _varint(buf, pos):
    b = buf[pos]
    if b < 0x80:
        return b, pos + 1
    return _varint_rest(buf, pos + 1, b)


def _varint_rest(buf, pos, first):
    """A varint of more than one byte, first being its first byte."""
    value = first & 0x7F
    shift = 7
    for _ in range(9):
        b = buf[pos]
        pos += 1
        value |= (b & 0x7F) << shift
        if b < 0x80:
            if value > UINT64_MAX:
                break
            return value, pos
        shift += 7
    raise Malformed("bad varint")


def _count(buf, pos, least):
    """A count of things of at least `least` bytes each, checked."""
    n = buf[pos]
    pos += 1
    if n >= 0x80:
        n, pos = _varint_rest(buf, pos, n)
    if n > (len(buf) - pos) // least:
        raise Malformed("truncated")
    return n, pos


def _blob(buf, pos):
    n = buf[pos]
    pos += 1
    if n >= 0x80:
        n, pos = _varint_rest(buf, pos, n)
    end = pos + n
    if end > len(buf):
        raise Malformed("truncated")
    return buf[pos:end], end


def _text(buf, pos):
    # _blob's body again rather than a call to it: the hot path, per field.
    n = buf[pos]
    pos += 1
    if n >= 0x80:
        n, pos = _varint_rest(buf, pos, n)
    end = pos + n
    if end > len(buf):
        raise Malformed("truncated")
    return buf[pos:end].decode(), end


def _key(buf, pos, keys):
    k = buf[pos]
    pos += 1
    if k >= 0x80:
        k, pos = _varint_rest(buf, pos, k)
    if k & 1:
        if k >> 1 >= len(keys):
            raise Malformed("bad key reference")
        return keys[k >> 1], pos
    end = pos + (k >> 1)
    if end > len(buf):
        raise Malformed("truncated")
    key = buf[pos:end].decode()
    keys.append(key)
    return key, end


def _map(buf, pos, level, path, keys, nulls, out):
    """Decode the entries of a MAP or LIST_MAP at level into out."""
    n, pos = _count(buf, pos, 2)
    size = len(buf)
    for _ in range(n):
        # The key, inline: a one-byte reference or a short new key.
        k = buf[pos]
        pos += 1
        if k >= 0x80:
            k, pos = _varint_rest(buf, pos, k)
        if k & 1:
            if k >> 1 >= len(keys):
                raise Malformed("bad key reference")
            key = keys[k >> 1]
        else:
            end = pos + (k >> 1)
            if end > size:
                raise Malformed("truncated")
            key = buf[pos:end].decode()
            keys.append(key)
            pos = end
        if key in out:
            raise Malformed("duplicate key")
        t = buf[pos]
        pos += 1
        # The field types of a typical record, inline.
        if t == 0x0E:                                   # STRING
            m = buf[pos]
            pos += 1
            if m >= 0x80:
                m, pos = _varint_rest(buf, pos, m)
            end = pos + m
            if end > size:
                raise Malformed("truncated")
            out[key] = buf[pos:end].decode()
            pos = end
        elif t == 0x06:                                 # LONG
            m = buf[pos]
            pos += 1
            if m >= 0x80:
                m, pos = _varint_rest(buf, pos, m)
            out[key] = (m >> 1) ^ -(m & 1)
        elif t == 0x08:                                 # DOUBLE
            if pos + 8 > size:
                raise Malformed("truncated")
            out[key] = _DOUBLE.unpack_from(buf, pos)[0]
            pos += 8
        elif t == 0x0B:                                 # DATETIME
            m = buf[pos]
            pos += 1
            if m >= 0x80:
                m, pos = _varint_rest(buf, pos, m)
            m = (m >> 1) ^ -(m & 1)
            out[key] = _EPOCH + _timedelta(0, 0, m) \
                if _MIN_US <= m <= _MAX_US else RawDatetime(m)
        elif t == 0x01:                                 # BOOLEAN
            b = buf[pos]
            pos += 1
            if b > 1:
                raise Malformed("bad boolean")
            out[key] = b == 1
        else:
            out[key], pos = _field(buf, pos, t, level + 1, path + (key,),
                                   keys, nulls)
    return pos


def _list(buf, pos, level, path, keys, nulls):
    n, pos = _count(buf, pos, 1)
    items = []
    append = items.append
    for i in range(n):
        t = buf[pos]
        pos += 1
        if t == 0x11 and level < MAX_DEPTH:
            item = {}
            pos = _map(buf, pos, level + 1, path + (i,), keys, nulls, item)
        else:
            item, pos = _field(buf, pos, t, level + 1, path + (i,), keys,
                               nulls)
        append(item)
    return items, pos


def _field(buf, pos, t, level, path, keys, nulls):
    """The value of a field of type byte t, whose value starts at pos."""
    if t & 0x20:
        raise Malformed("reserved bits set in a field type")
    code = t & 0x1F
    if not 1 <= code <= 18:
        raise Malformed("unknown field type")
    if t & 0x40:
        nulls.field_attributes[path], pos = _field_attributes(buf, pos)
    if t & 0x80:
        nulls[path] = TYPE_NAMES[code]
        return None, pos
    if code >= 16:
        if level > MAX_DEPTH:
            raise Malformed("nesting deeper than 128")
        if code == 16:
            return _list(buf, pos, level, path, keys, nulls)
        out = {} if code == 17 else ListMap()
        return out, _map(buf, pos, level, path, keys, nulls, out)
    return _SCALARS[code](buf, pos)


def _boolean(buf, pos):
    b = buf[pos]
    if b > 1:
        raise Malformed("bad boolean")
    return b == 1, pos + 1


def _char(buf, pos):
    cp, pos = _varint(buf, pos)
    if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
        raise Malformed("bad char")
    return Char(chr(cp)), pos


def _byte(buf, pos):
    b = buf[pos]
    return Byte(b - 256 if b > 127 else b), pos + 1


def _zigzag(buf, pos):
    n, pos = _varint(buf, pos)
    return (n >> 1) ^ -(n & 1), pos


def _ranged(low, high, cls):
    def read(buf, pos):
        n, pos = _zigzag(buf, pos)
        if not low <= n <= high:
            raise Malformed("value out of range for its type")
        return cls(n), pos
    return read


def _float(buf, pos):
    if pos + 4 > len(buf):
        raise Malformed("truncated")
    return Float(_FLOAT.unpack_from(buf, pos)[0]), pos + 4


def _double(buf, pos):
    if pos + 8 > len(buf):
        raise Malformed("truncated")
    return _DOUBLE.unpack_from(buf, pos)[0], pos + 8


def _decimal_field(buf, pos):
    text, pos = _blob(buf, pos)
    if not _DECIMAL_BYTES.fullmatch(text):
        raise Malformed("bad decimal")
    return DecimalText(text.decode("ascii")), pos


def _date(buf, pos):
    days, pos = _zigzag(buf, pos)
    ordinal = days + _DATE_BASE
    if _MIN_ORDINAL <= ordinal <= _MAX_ORDINAL:
        return _dt.date.fromordinal(ordinal), pos
    return RawDate(days), pos


def _datetime(buf, pos):
    us, pos = _zigzag(buf, pos)
    if _MIN_US <= us <= _MAX_US:
        return _EPOCH + _timedelta(0, 0, us), pos
    return RawDatetime(us), pos


def _time(buf, pos):
    us, pos = _varint(buf, pos)
    if us >= US_PER_DAY:
        raise Malformed("time of day out of range")
    seconds, micro = divmod(us, 1_000_000)
    minutes, second = divmod(seconds, 60)
    return _dt.time(minutes // 60, minutes % 60, second, micro), pos


def _zoned_field(buf, pos):
    us, pos = _zigzag(buf, pos)
    offset, pos = _zigzag(buf, pos)
    if not -MAX_OFFSET <= offset <= MAX_OFFSET:
        raise Malformed("zone offset out of range")
    zone, pos = _text(buf, pos)
    return zoned_value(us, offset, zone), pos


def _string(buf, pos):
    return _text(buf, pos)


def _byte_array(buf, pos):
    return _blob(buf, pos)


_SCALARS = (None, _boolean, _char, _byte,
            _ranged(-(1 << 15), (1 << 15) - 1, Short),
            _ranged(-(1 << 31), (1 << 31) - 1, Integer),
            _zigzag, _float, _double, _decimal_field, _date, _datetime,
            _time, _zoned_field, _string, _byte_array)


# ---------------------------------------------------------------- zones

_FIXED = {}
_ZONES = {}


def _fixed_zone(offset: int) -> _dt.tzinfo:
    tz = _FIXED.get(offset)
    if tz is None:
        tz = _FIXED[offset] = _dt.timezone(_timedelta(seconds=offset))
    return tz


def _zone_info(zone: str):
    """The ZoneInfo of an IANA id, or None when Python does not know it."""
    try:
        return _ZONES[zone]
    except KeyError:
        pass
    try:
        tz = zoneinfo.ZoneInfo(zone)
    except (ValueError, KeyError, OSError):  # unknown or not a zone id
        tz = None
    _ZONES[zone] = tz
    return tz


def zoned_value(us: int, offset: int, zone: str):
    """The Python value of a ZONED_DATETIME (see ZonedDateTime)."""
    local_us = us + offset * 1_000_000
    if not _MIN_US <= local_us <= _MAX_US:
        return RawZoned(us, offset, zone)
    local = _EPOCH_NAIVE + _timedelta(0, 0, local_us)
    fields = (local.year, local.month, local.day, local.hour, local.minute,
              local.second, local.microsecond)
    tz = _zone_info(zone) if zone else None
    value = None
    if tz is not None:
        # The zone's rules must give this offset at this local time, in
        # one fold or the other; else the fixed offset keeps the instant.
        for fold in (0, 1):
            candidate = ZonedDateTime(*fields, tzinfo=tz, fold=fold)
            if candidate.utcoffset() == _timedelta(seconds=offset):
                value = candidate
                break
    if value is None:
        value = ZonedDateTime(*fields, tzinfo=_fixed_zone(offset))
    value._zone = zone
    value._offset = offset
    return value


# ---------------------------------------------------------------- encoding

class EncodeError(ValueError):
    """A value that cannot be written as a record field, and where it is."""

    def __init__(self, path, why: str):
        self.path = path
        self.why = why
        where = "" if path is None else f" at {path_text(path)}"
        super().__init__(f"{why}{where}")


_PLAIN_KEY = re.compile(r"[A-Za-z0-9_@$-]+")


def path_text(path) -> str:
    """A path tuple in SDC field path syntax: "/a/b[2]", "/'odd key'"."""
    parts = []
    for step in path:
        if type(step) is int:
            parts.append(f"[{step}]")
        elif _PLAIN_KEY.fullmatch(step):
            parts.append("/" + step)
        else:
            parts.append("/'" + step.replace("'", "''") + "'")
    return "".join(parts) or "/"


def _varint_slow(n: int) -> bytes:
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


# Varints go out 14 bits at a time from two tables: the last one or two
# bytes of a varint below 2**14, and two bytes that both continue it.
_SMALL = [_varint_slow(n) for n in range(1 << 14)]
_CONTINUED = [bytes((n & 0x7F | 0x80, n >> 7 | 0x80)) for n in range(1 << 14)]


def _varint_into(out: bytearray, n: int) -> None:
    while n >= 16384:
        out += _CONTINUED[n & 0x3FFF]
        n >>= 14
    out += _SMALL[n]


def _varint_bytes(n: int) -> bytes:
    out = bytearray()
    _varint_into(out, n)
    return bytes(out)


def _uvarint(n: int) -> bytes:
    return _SMALL[n] if n < 16384 else _varint_bytes(n)


def encode(record: Record, kind: int = KIND_DATA, *, stage: str = None,
           error: tuple = None) -> bytes:
    """The canonical payload of record, as a frame of kind 1, 2 or 3.

    stage, when given, is appended to the stages unless it is already
    the last.  error replaces record.error for an ERROR payload.  Raises
    EncodeError when a value has no record type or is out of range.
    """
    if kind == KIND_DATA:
        if type(record) is _LazyRecord:
            try:
                return _lazy_payload(record._raw, stage)
            except IndexError:  # malformed: decoding it says how
                record._load()
        seen = getattr(record, "_raw", None)
        if seen is not None and _unchanged(record, seen):
            return _lazy_payload(seen[0], stage)
    out = bytearray()
    try:
        _header(out, record, kind, stage, error)
    except (TypeError, ValueError, AttributeError, OverflowError,
            UnicodeEncodeError) as e:
        raise EncodeError(None, f"bad record header: {_reason(e)}") from None
    value = record.value
    nulls = record.null_types
    if record.field_attributes:
        nulls = _PathTables(nulls, _checked_attributes(record))
    if type(value) is dict and () not in record.field_attributes:
        out.append(0x11)
        _map_into(out, value, 1, (), {}, nulls)
    else:
        _field_into(out, value, 1, (), {}, nulls)
    return bytes(out)


def _checked_attributes(record) -> dict:
    """The field attributes, each path naming a field of the record."""
    for path, attributes in record.field_attributes.items():
        v = record.value
        try:
            for step in path:
                v = v[step]
        except (KeyError, IndexError, TypeError):
            raise EncodeError(path, "field attributes for a path where "
                              "the record has no field") from None
        if not isinstance(attributes, dict):
            raise EncodeError(path, "field attributes are not a dict")
    return record.field_attributes


def _attributes_bytes(attributes, path) -> bytearray:
    data = bytearray(_uvarint(len(attributes)))
    try:
        for key, value in attributes.items():
            _text_into(data, key, "field attribute key")
            _text_into(data, value, "field attribute value")
    except (TypeError, UnicodeEncodeError) as e:
        raise EncodeError(path, _reason(e)) from None
    return data


def _lazy_payload(raw: bytes, stage) -> bytes:
    """The payload of an untouched record: its own, stage appended.

    Only the stages are read: the id and each stage are skipped by their
    lengths, the stage count written again one higher, the new stage put
    after the last, and the rest (attributes, root field) kept as is.
    """
    if stage is None:
        return raw
    n = raw[0]
    pos = 1
    if n >= 0x80:
        n, pos = _varint_rest(raw, pos, n)
    at = pos = pos + n                  # the stage count
    count = raw[pos]
    pos += 1
    if count >= 0x80:
        count, pos = _varint_rest(raw, pos, count)
    first = pos
    last = pos
    for _ in range(count):
        n = raw[pos]
        pos += 1
        if n >= 0x80:
            n, pos = _varint_rest(raw, pos, n)
        last = pos
        pos += n
    if pos > len(raw):
        raise IndexError("truncated")
    text = _STAGES.get(stage)
    if text is None:
        text = _STAGES[stage] = stage.encode()
    if count and raw[last:pos] == text:
        return raw                      # the stage is already the last
    return b"".join((raw[:at], _uvarint(count + 1), raw[first:pos],
                     _uvarint(len(text)), text, raw[pos:]))


_STAGES = {}


def _header(out, record, kind, stage, error):
    _text_into(out, record.id, "id")
    stages = record.stages
    if stage is not None and (not stages or stages[-1] != stage):
        stages = list(stages) + [stage]
    out += _uvarint(len(stages))
    for s in stages:
        _text_into(out, s, "stage")
    attributes = record.attributes
    out += _uvarint(len(attributes))
    for key, value in attributes.items():
        _text_into(out, key, "attribute key")
        _text_into(out, value, "attribute value")
    if kind == KIND_ERROR:
        code, message, stage_, ts = error or record.error
        _text_into(out, code, "error code")
        _text_into(out, message, "error message")
        _text_into(out, stage_, "error stage")
        out += _zigzag_bytes(ts)
    elif kind == KIND_EVENT:
        type_, version, ts = record.event
        _text_into(out, type_, "event type")
        if type(version) is not int or not 0 <= version <= UINT64_MAX:
            raise TypeError(f"event version {version!r}")
        out += _uvarint(version)
        out += _zigzag_bytes(ts)
    elif kind != KIND_DATA:
        raise TypeError(f"frame kind {kind} holds no record")


def _text_into(out, s, what):
    if not isinstance(s, str):
        raise TypeError(f"{what} is not a string: {s!r}")
    data = s.encode()
    out += _uvarint(len(data))
    out += data


def _zigzag_bytes(n) -> bytes:
    if type(n) is not int and not isinstance(n, int):
        raise TypeError(f"not an integer: {n!r}")
    if not INT64_MIN <= n <= INT64_MAX:
        raise OverflowError(f"{n} is out of the 64-bit range")
    return _uvarint(((n << 1) ^ (n >> 63)) & UINT64_MAX)


def _map_into(out, d, level, path, keys, nulls):
    """The count and entries of a map d at level (type byte written)."""
    out += _uvarint(len(d))
    key = None
    attributed = nulls.field_attributes if type(nulls) is _PathTables \
        else None
    try:
        for key, v in d.items():
            i = keys.get(key)
            if i is None:
                if type(key) is not str:
                    _check_key(key, path)
                data = key.encode()
                out += _SMALL[len(data) << 1] if len(data) < 8192 else \
                    _varint_bytes(len(data) << 1)
                out += data
                keys[key] = len(keys)
            else:
                out += _SMALL[i << 1 | 1] if i < 8192 else \
                    _varint_bytes(i << 1 | 1)
            t = type(v)
            if attributed and path + (key,) in attributed:
                _field_into(out, v, level + 1, path + (key,), keys, nulls)
            elif t is str:
                out.append(0x0E)
                data = v.encode()
                out += _SMALL[len(data)] if len(data) < 16384 else \
                    _varint_bytes(len(data))
                out += data
            elif t is int:
                if not INT64_MIN <= v <= INT64_MAX:
                    raise OverflowError("integer out of the LONG range")
                out.append(0x06)
                z = ((v << 1) ^ (v >> 63)) & UINT64_MAX
                out += _SMALL[z] if z < 16384 else _varint_bytes(z)
            elif t is float:
                out.append(0x08)
                out += _DOUBLE.pack(v)
            elif t is bool:
                out.append(0x01)
                out.append(v)
            elif t is _datetime_type and v.tzinfo is _UTC:
                us = (v - _EPOCH) // _ONE_US
                out.append(0x0B)
                _varint_into(out, (us << 1) ^ (us >> 63))
            else:
                _field_into(out, v, level + 1, path + (key,), keys, nulls)
    except EncodeError:
        raise
    except (OverflowError, UnicodeEncodeError, struct.error) as e:
        raise EncodeError(path + (key,), _reason(e)) from None


def _check_key(key, path):
    if not isinstance(key, str):
        raise EncodeError(path, f"map key is not a string: {key!r}")


def _reason(e: Exception) -> str:
    if isinstance(e, UnicodeEncodeError):
        return "text is not valid Unicode (a lone surrogate)"
    return str(e)


def _field_into(out, v, level, path, keys, nulls):
    """The type byte and value of v, whose path is path, at level."""
    write = _WRITERS.get(type(v))
    if write is None:
        v, write = _writer_of(v, path)
    start = len(out)
    try:
        write(out, v, level, path, keys, nulls)
    except EncodeError:
        raise
    except (OverflowError, UnicodeEncodeError, struct.error) as e:
        raise EncodeError(path, _reason(e)) from None
    if type(nulls) is _PathTables:
        attributes = nulls.field_attributes.get(path)
        if attributes:
            out[start] |= 0x40
            out[start + 1:start + 1] = _attributes_bytes(attributes, path)


def _writer_of(v, path):
    """For a type not in _WRITERS: the value to write and its writer."""
    cls = type(v)
    if cls.__module__ == "numpy" and cls.__name__ in _NUMPY:
        return _NUMPY[cls.__name__](v), _WRITERS[_NUMPY[cls.__name__]]
    for base, write in _SUBCLASS_WRITERS:
        if isinstance(v, base):
            return v, write
    name = cls.__name__ if cls.__module__ == "builtins" else \
        f"{cls.__module__}.{cls.__qualname__}"
    raise EncodeError(path, f"cannot encode a value of type {name}")


def _w_null(out, _v, _level, path, _keys, nulls):
    name = nulls.get(path, "STRING") if nulls else "STRING"
    code = TYPE_CODES.get(name)
    if code is None:
        raise EncodeError(path, f"null_types names no type: {name!r}")
    out.append(0x80 | code)


def _w_boolean(out, v, *_):
    out.append(0x01)
    out.append(1 if v else 0)


def _w_char(out, v, *_):
    if len(v) != 1 or 0xD800 <= ord(v) <= 0xDFFF:
        raise OverflowError(f"a CHAR is one character, not {str(v)!r}")
    out.append(0x02)
    out += _uvarint(ord(v))


def _w_int(code, low, high, name):
    def write(out, v, *_):
        if not low <= v <= high:
            raise OverflowError(f"{int(v)} is out of the {name} range")
        out.append(code)
        if code == 0x03:
            out.append(v & 0xFF)
        else:
            out += _uvarint(((v << 1) ^ (v >> 63)) & UINT64_MAX)
    return write


def _w_float(out, v, *_):
    out.append(0x07)
    try:
        out += _FLOAT.pack(v)
    except OverflowError:
        raise OverflowError(f"{float(v)!r} is out of the FLOAT range") \
            from None


def _w_double(out, v, *_):
    out.append(0x08)
    out += _DOUBLE.pack(v)


def _w_decimal(out, v, *_):
    text = v.text if type(v) is DecimalText else \
        str(v) if v.is_finite() else None
    if text is None or not _DECIMAL_TEXT.fullmatch(text):
        raise OverflowError(f"a DECIMAL must be a finite number, not {v}")
    out.append(0x09)
    data = text.encode()
    out += _uvarint(len(data))
    out += data


def _w_date(out, v, *_):
    out.append(0x0A)
    out += _zigzag_bytes(v.toordinal() - _DATE_BASE)


def _w_raw_date(out, v, *_):
    out.append(0x0A)
    out += _zigzag_bytes(int(v))


def _w_datetime(out, v, level, path, keys, nulls):
    tz = v.tzinfo
    if tz is None:
        d = v - _EPOCH_NAIVE
    elif tz is _UTC:
        d = v - _EPOCH
    else:
        _w_zoned(out, v, level, path, keys, nulls)
        return
    out.append(0x0B)
    out += _zigzag_bytes(d // _ONE_US)


def _w_raw_datetime(out, v, *_):
    out.append(0x0B)
    out += _zigzag_bytes(int(v))


def _w_time(out, v, *_):
    if v.tzinfo is not None:
        raise OverflowError("a TIME has no time zone")
    out.append(0x0C)
    out += _uvarint(((v.hour * 60 + v.minute) * 60 + v.second) * 1_000_000
                    + v.microsecond)


def _w_zoned(out, v, *_):
    offset = getattr(v, "offset", None)
    if not isinstance(offset, int):
        delta = v.utcoffset()
        if delta is None:
            raise OverflowError("a ZONED_DATETIME needs a time zone")
        if delta.microseconds:
            raise OverflowError(f"offset {delta} is not whole seconds")
        offset = delta.days * 86400 + delta.seconds
    zone = v.zone if isinstance(v, ZonedDateTime) else (
        getattr(v.tzinfo, "key", None) or getattr(v.tzinfo, "zone", None)
        or "")
    if not -MAX_OFFSET <= offset <= MAX_OFFSET:
        raise OverflowError(f"offset {offset} s is beyond 18 hours")
    d = v.replace(tzinfo=None) - _EPOCH_NAIVE
    local = d // _ONE_US
    _zoned_bytes(out, local - offset * 1_000_000, offset, zone)


def _w_raw_zoned(out, v, *_):
    us, offset, zone = v
    if not -MAX_OFFSET <= offset <= MAX_OFFSET:
        raise OverflowError(f"offset {offset} s is beyond 18 hours")
    _zoned_bytes(out, us, offset, zone)


def _zoned_bytes(out, us, offset, zone):
    if not isinstance(zone, str):
        raise OverflowError(f"zone id is not a string: {zone!r}")
    out.append(0x0D)
    out += _zigzag_bytes(us)
    out += _zigzag_bytes(offset)
    data = zone.encode()
    out += _uvarint(len(data))
    out += data


def _w_string(out, v, *_):
    out.append(0x0E)
    data = v.encode()
    out += _uvarint(len(data))
    out += data


def _w_bytes(out, v, *_):
    data = bytes(v)
    out.append(0x0F)
    out += _uvarint(len(data))
    out += data


def _w_list(out, v, level, path, keys, nulls):
    if level > MAX_DEPTH:
        raise EncodeError(path, "nesting deeper than 128")
    out.append(0x10)
    out += _uvarint(len(v))
    for i, item in enumerate(v):
        _field_into(out, item, level + 1, path + (i,), keys, nulls)


def _w_map(out, v, level, path, keys, nulls):
    if level > MAX_DEPTH:
        raise EncodeError(path, "nesting deeper than 128")
    out.append(0x12 if isinstance(v, ListMap) else 0x11)
    _map_into(out, v, level, path, keys, nulls)


def _w_long(out, v, *_):
    out.append(0x06)
    out += _zigzag_bytes(int(v))


_WRITERS = {
    type(None): _w_null, bool: _w_boolean, Char: _w_char,
    Byte: _w_int(0x03, -(1 << 7), (1 << 7) - 1, "BYTE"),
    Short: _w_int(0x04, -(1 << 15), (1 << 15) - 1, "SHORT"),
    Integer: _w_int(0x05, -(1 << 31), (1 << 31) - 1, "INTEGER"),
    int: _w_long, Float: _w_float, float: _w_double,
    _decimal.Decimal: _w_decimal, DecimalText: _w_decimal,
    _dt.date: _w_date, RawDate: _w_raw_date,
    _dt.datetime: _w_datetime, RawDatetime: _w_raw_datetime,
    _dt.time: _w_time, ZonedDateTime: _w_zoned, RawZoned: _w_raw_zoned,
    str: _w_string, bytes: _w_bytes, bytearray: _w_bytes,
    memoryview: _w_bytes, list: _w_list, tuple: _w_list,
    dict: _w_map, ListMap: _w_map,
}

# Subclasses of the types above, in the order that tells them apart
# (a datetime is a date, a bool an int).
_SUBCLASS_WRITERS = (
    (ZonedDateTime, _w_zoned), (_dt.datetime, _w_datetime),
    (_dt.date, _w_date), (_dt.time, _w_time),
    (_decimal.Decimal, _w_decimal), (dict, _w_map), (list, _w_list),
    (tuple, _w_list), (str, _w_string), (bool, _w_boolean),
    (int, _w_long), (float, _w_double), ((bytes, bytearray), _w_bytes),
)

# The numpy scalars that have a record type, by class name (numpy 2
# names bool_ "bool"), converted without importing numpy.
_NUMPY = {"int64": int, "float64": float, "bool_": bool, "bool": bool}


# ---------------------------------------------------------------- frames

def frame(kind: int, payload) -> bytes:
    """A frame: kind, length, CRC-32C and payload."""
    head = _HEAD.pack(kind, len(payload))
    return head + _U32.pack(_crc32c(payload, _crc32c(head))) + payload


def _frame_into(out: bytearray, kind: int, payload: bytes) -> None:
    head = _HEAD.pack(kind, len(payload))
    out += head
    out += _U32.pack(_crc32c(payload, _crc32c(head)))
    out += payload


def stream_header() -> bytes:
    return sdcrecord.stream_header()


def split_frames(buf) -> list:
    """(kind, payload memoryview) of each frame of buf, CRCs unchecked.

    buf holds whole frames one after another, without a stream header.
    """
    view = memoryview(buf)
    size = len(view)
    unpack = _HEAD.unpack_from
    frames = []
    pos = 0
    while pos < size:
        if pos + 9 > size:
            raise ValueError(f"byte {pos}: truncated frame")
        kind, length = unpack(view, pos)
        end = pos + 9 + length
        if end > size:
            raise ValueError(f"byte {pos}: truncated frame")
        frames.append((kind, view[pos + 9:end]))
        pos = end
    return frames


def chunks(buf, n: int) -> list:
    """buf, whole frames, cut into at most n bytes objects of whole frames.

    The pieces are about equal in size: each cut is at the first frame
    boundary at or after the next n-th of the buffer.
    """
    view = memoryview(buf)
    size = len(view)
    if size == 0:
        return []
    step = size / max(1, n)
    unpack = _HEAD.unpack_from
    pieces = []
    start = pos = 0
    cut = step
    while pos < size:
        if pos + 9 > size:
            raise ValueError(f"byte {pos}: truncated frame")
        pos += 9 + unpack(view, pos)[1]
        if pos >= cut and pos < size:
            pieces.append(bytes(view[start:pos]))
            start = pos
            while cut <= pos:
                cut += step
    if pos > size:
        raise ValueError(f"byte {size}: truncated frame")
    pieces.append(bytes(view[start:size]))
    return pieces


# ---------------------------------------------------------------- batches

def _tune_worker() -> None:
    """Spare the Python worker of Spark some 80 ms of every task.

    Before each task the worker calls importlib.invalidate_caches(),
    for the files that addFile may have brought, and on Python 3.10 and
    3.11 every zipimporter then reads the directory of its archive again:
    a dozen of them for pyspark.zip, thousands of entries each.  Reading
    it again only when the archive has changed keeps that meaning.
    """
    cls = zipimport.zipimporter
    if getattr(cls.invalidate_caches, "_sdc_tuned", False):
        return
    reread = cls.invalidate_caches

    def invalidate_caches(self):
        try:
            st = os.stat(self.archive)
            stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        except (OSError, AttributeError):
            stamp = None
        if stamp is None or getattr(self, "_sdc_stamp", None) != stamp:
            reread(self)
            self._sdc_stamp = stamp

    invalidate_caches._sdc_tuned = True
    cls.invalidate_caches = invalidate_caches


def decode_chunk(chunk: bytes):
    """The Records of the DATA frames of a chunk (one Spark task's input).

    The frames are walked in place, each payload sliced off as bytes
    into a lazy record (record._LazyRecord), which decodes it when the
    transformer first looks at it: sdc-spark-eval has checked them all.
    """
    _tune_worker()
    size = len(chunk)
    unpack = _HEAD.unpack_from
    new, lazy = _new_record, _LazyRecord
    pos = 0
    while pos < size:
        if pos + 9 > size:
            raise ValueError(f"byte {pos}: truncated frame")
        kind, length = unpack(chunk, pos)
        start, pos = pos + 9, pos + 9 + length
        if pos > size:
            raise ValueError(f"byte {start - 9}: truncated frame")
        if kind == KIND_DATA:
            record = new(lazy)
            record._raw = chunk[start:pos]
            yield record


def _now_ms() -> int:
    return time.time_ns() // 1_000_000


def _as_record(item) -> Record:
    """A result that is not a Record is the root value of a new one."""
    return item if type(item) is Record or isinstance(item, Record) \
        else Record(item)


def _bad_result(record: Record, why: str, now: int) -> bytes:
    """The ERROR payload that stands for a result that cannot be written."""
    rid = record.id if isinstance(record.id, str) else repr(record.id)
    stand_in = Record(repr(record.value)[:1000], rid, [STAGE])
    error = ("SPARK_BAD_RESULT", why, STAGE, now)
    try:
        return encode(stand_in, KIND_ERROR, error=error)
    except EncodeError:  # an id that is not valid Unicode
        return encode(Record(stand_in.value, "", [STAGE]), KIND_ERROR,
                      error=error)


def _add_frame(out, kind, record, now, error=None):
    try:
        payload = encode(record, kind, stage=STAGE, error=error)
        if len(payload) > MAX_RECORD:
            raise EncodeError(None, f"a record of {len(payload)} bytes "
                              f"exceeds the record size limit ({MAX_RECORD})")
    except EncodeError as e:
        why = str(e) if error is None else f"{error[1]}; and {e}"
        kind, payload = KIND_ERROR, _bad_result(record, why, now)
    _frame_into(out, kind, payload)


def encode_results(records):
    """Each result record as a DATA frame: (frame count, blob) of a task.

    A record that cannot be encoded becomes a SPARK_BAD_RESULT error.
    """
    out = bytearray()
    count = 0
    now = _now_ms()
    for record in records:
        _add_frame(out, KIND_DATA, _as_record(record), now)
        count += 1
    if count:
        yield count, out


def encode_errors(pairs):
    """Each (record, message) as an ERROR frame: (frame count, blob)."""
    out = bytearray()
    count = 0
    now = _now_ms()
    for pair in pairs:
        if isinstance(pair, tuple) and len(pair) == 2:
            record, message = pair
        else:
            record, message = pair, "error record"
        message = message if isinstance(message, str) else str(message)
        error = ("SPARK_ERROR_RECORD", message, STAGE, now)
        _add_frame(out, KIND_ERROR, _as_record(record), now, error)
        count += 1
    if count:
        yield count, out
