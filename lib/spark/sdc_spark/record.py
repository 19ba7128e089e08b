"""The record as transformer code sees it, and the typed value classes.

A Record holds the root field as a native Python value (usually a dict)
and the record header.  Decoding gives native values; the record types
that Python cannot tell apart get subclasses, so that a value that comes
back unchanged keeps its type when it is encoded again:

    BOOLEAN bool            CHAR Char(str)        BYTE Byte(int)
    SHORT Short(int)        INTEGER Integer(int)  LONG int
    FLOAT Float(float)      DOUBLE float          DECIMAL DecimalText
    DATE date               DATETIME datetime in UTC
    TIME time               ZONED_DATETIME ZonedDateTime
    STRING str              BYTE_ARRAY bytes      LIST list
    MAP dict                LIST_MAP ListMap(dict)

Python's dates end at the years 1 and 9999; a DATE, DATETIME or
ZONED_DATETIME outside them decodes to RawDate, RawDatetime or RawZoned,
which hold the numbers of the wire format and encode back to them.

Nulls.  A null field decodes to None, and its type goes in a side table,
Record.null_types, which maps the path of every null (a tuple of map keys
and list indices from the root; () for the root itself) to its type
name, as {("rssi",): "LONG"}.  The encoder looks up the path of each None
it meets and writes a STRING null where the table has nothing, so a None
that user code moves to another path becomes a STRING null there.

Field attributes.  Record.field_attributes maps the path of each field
that has attributes to them, str -> str, as {("price",): {"precision":
"10", "scale": "2"}} for a DECIMAL read from Avro.  They are written with
the field found at that path; a path where the record has no field is
an error when the record is encoded.

Laziness.  The Spark tasks give transformers _LazyRecords, which hold the
payload of their frame and decode it when any part of them is first read
or set, becoming plain Records then.  The codec writes an untouched one,
or a flat map still as it was read (see codec._unchanged), from its bytes.
"""

import datetime as _dt
import decimal as _decimal
from typing import NamedTuple

__all__ = [
    "Record", "Char", "Byte", "Short", "Integer", "Float", "ListMap",
    "DecimalText", "ZonedDateTime", "RawDate", "RawDatetime", "RawZoned",
]


class Char(str):
    """A CHAR: a string of one character."""
    __slots__ = ()


class Byte(int):
    """A BYTE, -128 to 127 (checked when encoded)."""
    __slots__ = ()


class Short(int):
    """A SHORT, -32768 to 32767 (checked when encoded)."""
    __slots__ = ()


class Integer(int):
    """An INTEGER, 32 bits (checked when encoded)."""
    __slots__ = ()


class Float(float):
    """A FLOAT: encoded as binary32 (DOUBLE is a plain float)."""
    __slots__ = ()


class ListMap(dict):
    """A LIST_MAP: a map whose entry order is meaningful."""
    __slots__ = ()


class DecimalText(_decimal.Decimal):
    """A DECIMAL that keeps its text as written ("1.5e3" stays "1.5e3").

    Decimal keeps the scale but writes exponents its own way, so the text
    is kept beside the value.  Arithmetic gives plain Decimals, which are
    encoded as str() writes them.  A text whose exponent is beyond what
    the decimal module holds gives the value NaN and still keeps its text.
    """
    __slots__ = ("text",)

    def __new__(cls, text):
        text = str(text)
        try:
            self = super().__new__(cls, text)
        except _decimal.InvalidOperation:
            self = super().__new__(cls, "NaN")
        self.text = text
        return self

    def __reduce__(self):
        return DecimalText, (self.text,)

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def __repr__(self):
        return f"DecimalText({self.text!r})"


class RawDate(int):
    """A DATE outside the years 1 to 9999: days since 1970-01-01."""
    __slots__ = ()


class RawDatetime(int):
    """A DATETIME outside the years 1 to 9999: microseconds since 1970."""
    __slots__ = ()


class RawZoned(NamedTuple):
    """A ZONED_DATETIME whose local time is outside the years 1 to 9999."""
    us: int          # the instant, microseconds since the epoch
    offset: int      # seconds: local time = UTC + offset
    zone: str = ""   # IANA zone id, or empty


class ZonedDateTime(_dt.datetime):
    """A ZONED_DATETIME: an aware datetime that keeps its zone id.

    The wire value is an instant, the offset in force and a zone id.  The
    datetime shows the local time; its tzinfo is the ZoneInfo of the zone
    when Python knows it and agrees with the offset, else a fixed offset.
    zone and offset are kept as read, so an unknown zone id or an offset
    that the zone's rules do not give still goes out as it came in.  A
    value made from this one (arithmetic, replace()) drops them and is
    encoded from its tzinfo.
    """
    __slots__ = ("_zone", "_offset")

    @property
    def zone(self) -> str:
        """The zone id to write: as read, else the tzinfo's key."""
        zone = getattr(self, "_zone", None)
        if zone is not None:
            return zone
        tz = self.tzinfo
        return getattr(tz, "key", None) or getattr(tz, "zone", None) or ""

    @property
    def offset(self):
        """Seconds of UTC offset to write, or None for the tzinfo's."""
        return getattr(self, "_offset", None)

    def __reduce_ex__(self, _protocol):
        # datetime's own __reduce_ex__ would drop zone and offset.
        fields = (self.year, self.month, self.day, self.hour, self.minute,
                  self.second, self.microsecond, self.tzinfo, self.fold)
        return _zoned, (fields, getattr(self, "_zone", None), self.offset)

    def __repr__(self):
        return f"ZonedDateTime({self.isoformat()!r}, zone={self.zone!r})"


def _zoned(fields, zone, offset):
    """Rebuild a pickled ZonedDateTime."""
    *parts, tz, fold = fields
    value = ZonedDateTime(*parts, tzinfo=tz, fold=fold)
    if zone is not None:
        value._zone = zone
    if offset is not None:
        value._offset = offset
    return value


def _copy_value(v):
    """A copy of v in which no dict or list is shared with v."""
    if isinstance(v, dict):
        return type(v)((k, _copy_value(x)) for k, x in v.items())
    if isinstance(v, list):
        return [_copy_value(x) for x in v]
    if isinstance(v, bytearray):
        return bytearray(v)
    return v


class Record:
    """A record: its root value and its header, dict-like over the root.

    value       the root field: a dict for most records
    id          where it comes from, as "data.csv:12"
    stages      the programs it went through, in order (list of str)
    attributes  header attributes, str -> str
    null_types  path tuple -> type name of each null (see the module doc)
    error       (code, message, stage, timestamp_ms) of an error record
    event       (type, version, timestamp_ms) of an event record
    field_attributes
                path tuple -> {str: str}, the attributes of the field at
                that path (see the module doc)
    """
    __slots__ = ("value", "id", "stages", "attributes", "null_types",
                 "error", "event", "field_attributes", "_raw")

    def __init__(self, value=None, id="", stages=(), attributes=None,
                 null_types=None, error=None, event=None,
                 field_attributes=None):
        self.value = value
        self.id = id
        self.stages = list(stages)
        self.attributes = dict(attributes) if attributes else {}
        self.null_types = dict(null_types) if null_types else {}
        self.error = error
        self.event = event
        self.field_attributes = {path: dict(a) for path, a in
                                 field_attributes.items()} \
            if field_attributes else {}

    @classmethod
    def from_dict(cls, d, **header):
        """The record whose root is d (an alias of Record(d, ...))."""
        return cls(d, **header)

    # -- the mapping over the root value

    def __getitem__(self, key):
        return self.value[key]

    def __setitem__(self, key, v):
        self.value[key] = v

    def __delitem__(self, key):
        del self.value[key]

    def __contains__(self, key):
        return isinstance(self.value, dict) and key in self.value

    def __iter__(self):
        return iter(self._map())

    def __len__(self):
        return len(self._map())

    def get(self, key, default=None):
        return self.value.get(key, default) if isinstance(
            self.value, dict) else default

    def keys(self):
        return self._map().keys()

    def values(self):
        return self._map().values()

    def items(self):
        return self._map().items()

    def pop(self, key, *default):
        return self._map().pop(key, *default)

    def setdefault(self, key, default=None):
        return self._map().setdefault(key, default)

    def update(self, *args, **kw):
        self._map().update(*args, **kw)

    def _map(self) -> dict:
        if not isinstance(self.value, dict):
            raise TypeError(f"the root of this record is not a map: "
                            f"{type(self.value).__name__}")
        return self.value

    # -- the rest

    def copy(self) -> "Record":
        """A copy whose containers can change without changing this one."""
        return _build(_copy_value(self.value), self.id, list(self.stages),
                      dict(self.attributes), dict(self.null_types),
                      self.error, self.event,
                      {p: dict(a) for p, a in self.field_attributes.items()})

    def __reduce__(self):
        return _build, (self.value, self.id, self.stages, self.attributes,
                        self.null_types, self.error, self.event,
                        self.field_attributes)

    def __eq__(self, other):
        if not isinstance(other, Record):
            return NotImplemented
        return all(getattr(self, s) == getattr(other, s) for s in _FIELDS)

    __hash__ = None

    def __repr__(self):
        parts = [repr(self.value)]
        for name in _FIELDS[1:]:
            v = getattr(self, name)
            if v:
                parts.append(f"{name}={v!r}")
        return f"Record({', '.join(parts)})"


def _build(value, id, stages, attributes, null_types, error, event,
           field_attributes):
    """A Record from its slots, without copying them (decoder, pickle)."""
    r = _new_record(Record)
    r.value = value
    r.id = id
    r.stages = stages
    r.attributes = attributes
    r.null_types = null_types
    r.error = error
    r.event = event
    r.field_attributes = field_attributes
    return r


_new_record = object.__new__
_FIELDS = ("value", "id", "stages", "attributes", "null_types", "error",
           "event", "field_attributes")


class _LazyRecord(Record):
    """A record of the input of a batch, still as its payload's bytes.

    The Spark tasks give transformers these: reading or setting any part
    of the record (its value, null_types, id, ...) decodes the payload,
    once, and the object becomes a plain Record; one that no code looked
    at is written out again from its bytes (codec.encode), which are the
    canonical encoding of the same record, since sdc-spark-eval checks
    each record of its input (the stage is still appended).  A malformed
    payload raises sdcrecord.Malformed when it is decoded.
    """
    __slots__ = ()

    def _load(self) -> None:
        (_load_lazy or _codec_loader())(self)

    def __reduce__(self):
        return _lazy, (self._raw,)


_load_lazy = None


def _codec_loader():
    """codec.load_lazy, imported once (codec imports this module)."""
    global _load_lazy
    from .codec import load_lazy
    _load_lazy = load_lazy
    return load_lazy


def _lazy_property(name):
    def get(self):
        (_load_lazy or _codec_loader())(self)
        return getattr(self, name)

    def set_(self, v):
        (_load_lazy or _codec_loader())(self)
        setattr(self, name, v)

    def delete(self):
        (_load_lazy or _codec_loader())(self)
        delattr(self, name)

    return property(get, set_, delete)


for _name in _FIELDS:
    setattr(_LazyRecord, _name, _lazy_property(_name))
del _name


def _lazy(raw: bytes) -> Record:
    """The record of the DATA payload raw, decoded when first used."""
    r = _new_record(_LazyRecord)
    r._raw = raw
    return r
