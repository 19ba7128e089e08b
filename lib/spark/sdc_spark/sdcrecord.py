#!/usr/bin/env python3
"""Read and write sdc record streams, as sdc-record(5) describes them.

A second implementation of the wire format, written from the manual
page alone and using only the standard library.  It reads streams
(several concatenated members, checksums, end-frame counts), decodes
and canonically encodes records, and renders them as the typed and
the plain JSON of sdc-convert(1).

Python values by field type:
    BOOLEAN bool; CHAR a one-character str; BYTE SHORT INTEGER LONG int;
    FLOAT DOUBLE float (FLOAT rounded to binary32); DECIMAL str (its
    text); DATE int (days since 1970-01-01); DATETIME int (microseconds
    since the epoch); TIME int (microseconds since midnight);
    ZONED_DATETIME Zoned; STRING str; BYTE_ARRAY bytes; LIST a list of
    Field; MAP LIST_MAP a dict of str -> Field, in order.
A null field has the value None and keeps its type.

Command line (used by the test-vector runner):
    sdcrecord.py to-json [--plain] FILE   stream -> JSON lines on stdout
    sdcrecord.py from-json FILE           typed JSON -> stream on stdout
FILE "-" is standard input.  Stream errors exit with status 4.
"""

import base64
import dataclasses
import json
import math
import os
import re
import struct
import sys
import time
from typing import Any, BinaryIO, Iterator, Optional, Union

MAGIC = b"\x89SDC\r\n\x1a\n"
VERSION = 1
STREAM_HEADER_LEN = 10
FRAME_HEADER_LEN = 9
DEFAULT_MAX_RECORD = 16 << 20
MAX_DEPTH = 128

KIND_DATA, KIND_ERROR, KIND_EVENT, KIND_BATCH, KIND_END = 1, 2, 3, 4, 5
RECORD_KINDS = {KIND_DATA: "data", KIND_ERROR: "error", KIND_EVENT: "event"}
KIND_OF_NAME = {name: kind for kind, name in RECORD_KINDS.items()}

TYPE_NAMES = (
    None, "BOOLEAN", "CHAR", "BYTE", "SHORT", "INTEGER", "LONG", "FLOAT",
    "DOUBLE", "DECIMAL", "DATE", "DATETIME", "TIME", "ZONED_DATETIME",
    "STRING", "BYTE_ARRAY", "LIST", "MAP", "LIST_MAP",
)
TYPE_CODES = {name: code for code, name in enumerate(TYPE_NAMES) if name}
CONTAINERS = ("LIST", "MAP", "LIST_MAP")
NULL_FLAG = 0x80
ATTRS_FLAG = 0x40  # field attributes follow the type byte
RESERVED_BITS = 0x20

INT_RANGES = {
    "BYTE": (-(1 << 7), (1 << 7) - 1),
    "SHORT": (-(1 << 15), (1 << 15) - 1),
    "INTEGER": (-(1 << 31), (1 << 31) - 1),
    "LONG": (-(1 << 63), (1 << 63) - 1),
    "DATE": (-(1 << 63), (1 << 63) - 1),
    "DATETIME": (-(1 << 63), (1 << 63) - 1),
}
INT64 = (-(1 << 63), (1 << 63) - 1)
UINT64_MAX = (1 << 64) - 1
US_PER_SECOND = 1_000_000
US_PER_DAY = 86_400 * US_PER_SECOND
MAX_OFFSET = 18 * 3600
DECIMAL_RE = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")


# ---------------------------------------------------------------- model

@dataclasses.dataclass(frozen=True)
class Zoned:
    """A ZONED_DATETIME: the instant, the offset of local time, a zone."""
    us: int            # microseconds since the epoch, UTC
    offset: int        # seconds; local time = UTC + offset
    zone: str = ""     # IANA name, or empty


@dataclasses.dataclass
class Field:
    type: str
    value: Any = None  # None: a null field
    attributes: dict = dataclasses.field(default_factory=dict)


@dataclasses.dataclass
class ErrorInfo:
    code: str
    message: str
    stage: str
    timestamp: int     # milliseconds since the epoch


@dataclasses.dataclass
class EventInfo:
    type: str
    version: int
    timestamp: int     # milliseconds since the epoch


@dataclasses.dataclass
class Record:
    kind: str                          # "data", "error" or "event"
    root: Field
    id: str = ""
    stages: list = dataclasses.field(default_factory=list)
    attributes: dict = dataclasses.field(default_factory=dict)
    error: Optional[ErrorInfo] = None
    event: Optional[EventInfo] = None


@dataclasses.dataclass
class Batch:
    """A batch boundary."""


@dataclasses.dataclass
class Unknown:
    """A frame of a kind this version does not know, kept as bytes."""
    kind: int
    payload: bytes


Item = Union[Record, Batch, Unknown]


# ---------------------------------------------------------------- CRC-32C

def _crc32c_table() -> list:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
        table.append(crc)
    return table


_CRC_TABLE = _crc32c_table()


def crc32c(data: bytes, crc: int = 0) -> int:
    """CRC-32C (Castagnoli); pass a previous result to continue it."""
    crc ^= 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


# ---------------------------------------------------------------- errors

class StreamError(Exception):
    """The stream is broken at byte offset: reading stops (status 4)."""

    def __init__(self, offset: int, reason: str):
        super().__init__(f"byte {offset}: {reason}")
        self.offset = offset
        self.reason = reason

    def describe(self, input_name: str) -> str:
        """The diagnostic after "PROG: "."""
        return f"{input_name}: {self}"


class NotAStream(StreamError):
    """The input does not start with the magic."""

    def __init__(self, guess: str):
        super().__init__(0, "not an sdc record stream")
        self.guess = guess

    def describe(self, input_name: str) -> str:
        return (f"{input_name} is not an sdc record stream "
                f"(try: sdc-convert --from {self.guess})")


class Malformed(ValueError):
    """A payload, or a typed JSON value, that does not follow the format."""


def guess_format(head: bytes) -> str:
    """The format to suggest for input that is not a record stream."""
    first_line = head.split(b"\n", 1)[0]
    stripped = head.lstrip(b" \t\r\n")
    if stripped[:1] in (b"{", b"["):
        return "json"
    return "csv" if b"," in first_line else "text"


# ---------------------------------------------------------------- frames

@dataclasses.dataclass
class Frame:
    kind: int
    payload: bytes
    offset: int        # of the frame's first byte in the input


def frame_bytes(kind: int, payload: bytes) -> bytes:
    head = struct.pack("<BI", kind, len(payload))
    return head + struct.pack("<I", crc32c(payload, crc32c(head))) + payload


def stream_header() -> bytes:
    return MAGIC + bytes((VERSION, 0))


class FrameReader:
    """Iterate the frames of a stream, verifying it as it goes.

    Stream headers and end frames are checked here and not returned.
    Iteration raises StreamError at the first break in the stream.
    """

    def __init__(self, src: BinaryIO, max_record: int = DEFAULT_MAX_RECORD):
        self.src = src
        self.max_record = max_record
        self.pos = 0

    def _read(self, n: int) -> bytes:
        data = self.src.read(n) if n else b""
        self.pos += len(data)
        return data

    def __iter__(self) -> Iterator[Frame]:
        first = True
        while self._read_stream_header(first):
            first = False
            count = 0
            while True:
                frame = self._read_frame()
                if frame.kind == KIND_END:
                    self._check_end(frame, count)
                    break
                count += 1
                yield frame

    def _read_stream_header(self, first: bool) -> bool:
        start = self.pos
        head = self._read(STREAM_HEADER_LEN)
        if not head:
            return False
        if not MAGIC.startswith(head[:len(MAGIC)]):
            if first:
                rest = self.src.readline(1 << 16) if b"\n" not in head else b""
                raise NotAStream(guess_format(head + rest))
            raise StreamError(start, "bad stream header")
        if len(head) < STREAM_HEADER_LEN:
            raise StreamError(start, "truncated stream header")
        version, flags = head[8], head[9]
        if version > VERSION:
            raise StreamError(start, f"record stream version {version} is "
                              f"newer than this program supports ({VERSION})")
        if version < 1:
            raise StreamError(start, "bad stream header")
        if flags:
            raise StreamError(start, f"unknown stream flags 0x{flags:02x}")
        return True

    def _read_frame(self) -> Frame:
        start = self.pos
        head = self._read(FRAME_HEADER_LEN)
        if not head:
            raise StreamError(start, "truncated stream: no end frame")
        if len(head) < FRAME_HEADER_LEN:
            raise StreamError(start, "truncated frame")
        kind = head[0]
        if kind == MAGIC[0]:
            # The next member starts before this one ended.
            raise StreamError(start, "truncated stream: no end frame")
        if kind == 0 or kind >= 0x80:
            raise StreamError(start, f"bad frame kind 0x{kind:02x}")
        length, crc = struct.unpack("<II", head[1:])
        if length > self.max_record:
            raise StreamError(start, f"frame of {length} bytes exceeds the "
                              f"record size limit ({self.max_record})")
        payload = self._read(length)
        if len(payload) < length:
            raise StreamError(start, "truncated frame")
        if crc32c(payload, crc32c(head[:5])) != crc:
            raise StreamError(start, "checksum mismatch")
        return Frame(kind, payload, start)

    @staticmethod
    def _check_end(frame: Frame, count: int) -> None:
        try:
            cursor = _Cursor(frame.payload)
            counted = cursor.varint()
            cursor.finish()
        except Malformed:
            raise StreamError(frame.offset, "bad end frame") from None
        if counted != count:
            raise StreamError(frame.offset, f"end frame counts {counted} "
                              f"frames, the stream had {count}")


# ---------------------------------------------------------------- decoding

class _Cursor:
    """Reads the values of section VALUES from one payload."""

    def __init__(self, data: bytes):
        self.data = data
        self.pos = 0

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise Malformed("truncated")
        chunk = self.data[self.pos:self.pos + n]
        self.pos += n
        return chunk

    def byte(self) -> int:
        return self.take(1)[0]

    def varint(self) -> int:
        value = 0
        for i in range(10):
            byte = self.byte()
            value |= (byte & 0x7F) << (7 * i)
            if not byte & 0x80:
                if value > UINT64_MAX:
                    raise Malformed("bad varint")
                return value
        raise Malformed("bad varint")

    def zigzag(self) -> int:
        n = self.varint()
        return (n >> 1) ^ -(n & 1)

    def count(self, min_size: int = 1) -> int:
        """A count of items that take at least min_size bytes each."""
        n = self.varint()
        if n > (len(self.data) - self.pos) // min_size:
            raise Malformed("truncated")
        return n

    def blob(self) -> bytes:
        return self.take(self.varint())

    def text(self) -> str:
        try:
            return self.blob().decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("bad utf-8") from None

    def finish(self) -> None:
        if self.pos != len(self.data):
            raise Malformed("trailing bytes")


class _RecordDecoder(_Cursor):
    def __init__(self, data: bytes):
        super().__init__(data)
        self.keys: list = []

    @staticmethod
    def ranged(value: int, low: int, high: int) -> int:
        if not low <= value <= high:
            raise Malformed("value out of range for its type")
        return value

    def record(self, kind: int) -> Record:
        rec = Record(RECORD_KINDS[kind], Field("MAP"))
        rec.id = self.text()
        rec.stages = [self.text() for _ in range(self.count())]
        for _ in range(self.count(2)):
            key = self.text()
            if key in rec.attributes:
                raise Malformed("duplicate key")
            rec.attributes[key] = self.text()
        if kind == KIND_ERROR:
            rec.error = ErrorInfo(self.text(), self.text(), self.text(),
                                  self.zigzag())
        elif kind == KIND_EVENT:
            rec.event = EventInfo(self.text(), self.varint(), self.zigzag())
        rec.root = self.field(1)
        self.finish()
        return rec

    def field(self, level: int) -> Field:
        type_byte = self.byte()
        code = type_byte & 0x1F
        if type_byte & RESERVED_BITS:
            raise Malformed("reserved bits set in a field type")
        if not 1 <= code < len(TYPE_NAMES):
            raise Malformed("unknown field type")
        name = TYPE_NAMES[code]
        attributes = self.field_attributes() if type_byte & ATTRS_FLAG \
            else {}
        if type_byte & NULL_FLAG:
            return Field(name, None, attributes)
        if name in CONTAINERS and level > MAX_DEPTH:
            raise Malformed("nesting deeper than 128")
        return Field(name, getattr(self, "v_" + name.lower())(level),
                     attributes)

    def field_attributes(self) -> dict:
        attributes = {}
        n = self.count(2)
        if n == 0:
            raise Malformed("field attributes flag without any")
        for _ in range(n):
            key = self.text()
            if key in attributes:
                raise Malformed("duplicate key")
            attributes[key] = self.text()
        return attributes

    def v_boolean(self, _level):
        byte = self.byte()
        if byte > 1:
            raise Malformed("bad boolean")
        return byte == 1

    def v_char(self, _level):
        cp = self.varint()
        if cp > 0x10FFFF or 0xD800 <= cp <= 0xDFFF:
            raise Malformed("bad char")
        return chr(cp)

    def v_byte(self, _level):
        return struct.unpack("<b", self.take(1))[0]

    def v_short(self, _level):
        return self.ranged(self.zigzag(), *INT_RANGES["SHORT"])

    def v_integer(self, _level):
        return self.ranged(self.zigzag(), *INT_RANGES["INTEGER"])

    def v_long(self, _level):
        return self.zigzag()

    def v_float(self, _level):
        return struct.unpack("<f", self.take(4))[0]

    def v_double(self, _level):
        return struct.unpack("<d", self.take(8))[0]

    def v_decimal(self, _level):
        text = self.blob()
        if not DECIMAL_RE.fullmatch(text.decode("ascii", "replace")):
            raise Malformed("bad decimal")
        return text.decode("ascii")

    v_date = v_long
    v_datetime = v_long

    def v_time(self, _level):
        us = self.varint()
        if us >= US_PER_DAY:
            raise Malformed("time of day out of range")
        return us

    def v_zoned_datetime(self, _level):
        us = self.zigzag()
        offset = self.zigzag()
        if abs(offset) > MAX_OFFSET:
            raise Malformed("zone offset out of range")
        return Zoned(us, offset, self.text())

    def v_string(self, _level):
        return self.text()

    def v_byte_array(self, _level):
        return self.blob()

    def v_list(self, level):
        return [self.field(level + 1) for _ in range(self.count())]

    def v_map(self, level):
        entries = {}
        for _ in range(self.count(2)):
            key = self.key()
            if key in entries:
                raise Malformed("duplicate key")
            entries[key] = self.field(level + 1)
        return entries

    v_list_map = v_map

    def key(self) -> str:
        k = self.varint()
        if k & 1:
            if k >> 1 >= len(self.keys):
                raise Malformed("bad key reference")
            return self.keys[k >> 1]
        try:
            key = self.take(k >> 1).decode("utf-8")
        except UnicodeDecodeError:
            raise Malformed("bad utf-8") from None
        self.keys.append(key)
        return key


def decode_record(kind: int, payload: bytes) -> Record:
    """Decode the payload of a DATA, ERROR or EVENT frame (or Malformed)."""
    return _RecordDecoder(payload).record(kind)


def bad_frame_record(frame: Frame, reason: str, input_name: str,
                     stage: str) -> Record:
    """What a reader makes of a frame whose payload is malformed."""
    error = ErrorInfo("SDC_BAD_FRAME", f"byte {frame.offset}: {reason}", stage,
                      time.time_ns() // 1_000_000)
    return Record("error", Field("BYTE_ARRAY", frame.payload),
                  id=f"{input_name}:byte {frame.offset}", error=error)


def read_stream(src: BinaryIO, input_name: str = "stdin",
                stage: str = "sdcrecord",
                max_record: int = DEFAULT_MAX_RECORD) -> Iterator[Item]:
    """The records, batch boundaries and unknown frames of a stream."""
    for frame in FrameReader(src, max_record):
        if frame.kind in RECORD_KINDS:
            try:
                yield decode_record(frame.kind, frame.payload)
            except Malformed as e:
                yield bad_frame_record(frame, str(e), input_name, stage)
        elif frame.kind == KIND_BATCH:
            yield Batch()
        else:
            yield Unknown(frame.kind, frame.payload)


# ---------------------------------------------------------------- encoding

def varint(n: int) -> bytes:
    if not 0 <= n <= UINT64_MAX:
        raise Malformed(f"varint out of range: {n}")
    out = bytearray()
    while n > 0x7F:
        out.append(n & 0x7F | 0x80)
        n >>= 7
    out.append(n)
    return bytes(out)


def zigzag(n: int) -> bytes:
    _check_int(n, *INT64)
    return varint(((n << 1) ^ (n >> 63)) & UINT64_MAX)


def _check_int(n: Any, low: int, high: int) -> None:
    if type(n) is not int or not low <= n <= high:
        raise Malformed(f"integer out of range: {n!r}")


def _string(data: bytes) -> bytes:
    return varint(len(data)) + data


def _utf8(s: str) -> bytes:
    if not isinstance(s, str):
        raise Malformed(f"not a string: {s!r}")
    try:
        return s.encode("utf-8")
    except UnicodeEncodeError:
        raise Malformed("text is not valid Unicode") from None


def _text(s: str) -> bytes:
    return _string(_utf8(s))


class _RecordEncoder:
    """Writes the canonical encoding of one record payload."""

    def __init__(self):
        self.out = bytearray()
        self.keys: dict = {}

    def record(self, rec: Record) -> bytes:
        out = self.out
        out += _text(rec.id)
        out += varint(len(rec.stages))
        for stage in rec.stages:
            out += _text(stage)
        out += varint(len(rec.attributes))
        for key, value in rec.attributes.items():
            out += _text(key) + _text(value)
        if rec.kind == "error":
            e = rec.error
            out += _text(e.code) + _text(e.message) + _text(e.stage)
            out += zigzag(e.timestamp)
        elif rec.kind == "event":
            e = rec.event
            out += _text(e.type) + varint(e.version) + zigzag(e.timestamp)
        self.field(rec.root, 1)
        return bytes(out)

    def field(self, f: Field, level: int) -> None:
        code = TYPE_CODES.get(f.type)
        if code is None:
            raise Malformed(f"unknown type {f.type!r}")
        if f.attributes:
            code |= ATTRS_FLAG
        if f.value is None:
            code |= NULL_FLAG
        elif f.type in CONTAINERS and level > MAX_DEPTH:
            raise Malformed("nesting deeper than 128")
        self.out.append(code)
        if f.attributes:
            self.out += varint(len(f.attributes))
            for key, value in f.attributes.items():
                self.out += _text(key) + _text(value)
        if f.value is not None:
            getattr(self, "v_" + f.type.lower())(f.value, level)

    def v_boolean(self, v, _level):
        if type(v) is not bool:
            raise Malformed(f"not a boolean: {v!r}")
        self.out.append(int(v))

    def v_char(self, v, _level):
        if not isinstance(v, str) or len(v) != 1 or _is_surrogate(v):
            raise Malformed(f"not one character: {v!r}")
        self.out += varint(ord(v))

    def v_byte(self, v, _level):
        _check_int(v, *INT_RANGES["BYTE"])
        self.out += struct.pack("<b", v)

    def v_short(self, v, _level):
        _check_int(v, *INT_RANGES["SHORT"])
        self.out += zigzag(v)

    def v_integer(self, v, _level):
        _check_int(v, *INT_RANGES["INTEGER"])
        self.out += zigzag(v)

    def v_long(self, v, _level):
        self.out += zigzag(v)

    def v_float(self, v, _level):
        self.out += struct.pack("<f", v)

    def v_double(self, v, _level):
        self.out += struct.pack("<d", v)

    def v_decimal(self, v, _level):
        if not isinstance(v, str) or not DECIMAL_RE.fullmatch(v):
            raise Malformed(f"bad decimal: {v!r}")
        self.out += _text(v)

    v_date = v_long
    v_datetime = v_long

    def v_time(self, v, _level):
        _check_int(v, 0, US_PER_DAY - 1)
        self.out += varint(v)

    def v_zoned_datetime(self, v, _level):
        _check_int(v.offset, -MAX_OFFSET, MAX_OFFSET)
        self.out += zigzag(v.us) + zigzag(v.offset) + _text(v.zone)

    def v_string(self, v, _level):
        self.out += _text(v)

    def v_byte_array(self, v, _level):
        self.out += _string(bytes(v))

    def v_list(self, items, level):
        self.out += varint(len(items))
        for item in items:
            self.field(item, level + 1)

    def v_map(self, entries, level):
        self.out += varint(len(entries))
        for key, value in entries.items():
            self.key(key)
            self.field(value, level + 1)

    v_list_map = v_map

    def key(self, key: str) -> None:
        index = self.keys.get(key)
        if index is not None:
            self.out += varint(index << 1 | 1)
            return
        data = _utf8(key)
        self.out += varint(len(data) << 1) + data
        self.keys[key] = len(self.keys)


def _is_surrogate(s: str) -> bool:
    return any(0xD800 <= ord(c) <= 0xDFFF for c in s)


def encode_record(rec: Record) -> bytes:
    """The canonical payload of a DATA, ERROR or EVENT frame."""
    return _RecordEncoder().record(rec)


def encode_frame(item: Item, max_record: int = DEFAULT_MAX_RECORD) -> bytes:
    if isinstance(item, Record):
        kind, payload = KIND_OF_NAME[item.kind], encode_record(item)
    elif isinstance(item, Batch):
        kind, payload = KIND_BATCH, b""
    else:
        kind, payload = item.kind, item.payload
        if not 6 <= kind <= 0x7F:
            raise Malformed(f"frame kind {kind} cannot be passed on")
    if len(payload) > max_record:
        raise Malformed(f"frame of {len(payload)} bytes exceeds the "
                        f"record size limit ({max_record})")
    return frame_bytes(kind, payload)


class StreamWriter:
    """Writes one member: the header now, frames, the end frame on close.

    A writer that fails must not call close(), so that readers see the
    stream is incomplete.
    """

    def __init__(self, dst: BinaryIO, max_record: int = DEFAULT_MAX_RECORD):
        self.dst = dst
        self.max_record = max_record
        self.frames = 0
        dst.write(stream_header())

    def write(self, item: Item) -> None:
        self.dst.write(encode_frame(item, self.max_record))
        self.frames += 1

    def close(self) -> None:
        self.dst.write(frame_bytes(KIND_END, varint(self.frames)))


# ---------------------------------------------------------------- dates

def days_from_civil(y: int, m: int, d: int) -> int:
    """Days since 1970-01-01 of a proleptic Gregorian date."""
    y -= m <= 2
    era = y // 400
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def civil_from_days(z: int) -> tuple:
    z += 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    d = doy - (153 * mp + 2) // 5 + 1
    m = mp + (3 if mp < 10 else -9)
    return yoe + era * 400 + (m <= 2), m, d


def _date_text(days: int) -> Optional[str]:
    y, m, d = civil_from_days(days)
    if not 1 <= y <= 9999:
        return None
    return f"{y:04d}-{m:02d}-{d:02d}"


def _time_text(us: int) -> str:
    seconds, frac = divmod(us, US_PER_SECOND)
    text = (f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:"
            f"{seconds % 60:02d}")
    if frac == 0:
        return text
    if frac % 1000 == 0:
        return f"{text}.{frac // 1000:03d}"
    return f"{text}.{frac:06d}"


def _datetime_text(us: int) -> Optional[str]:
    days, rest = divmod(us, US_PER_DAY)
    date = _date_text(days)
    return None if date is None else f"{date}T{_time_text(rest)}"


def _offset_text(offset: int) -> str:
    sign = "-" if offset < 0 else "+"
    h, rest = divmod(abs(offset), 3600)
    m, s = divmod(rest, 60)
    return f"{sign}{h:02d}:{m:02d}" + (f":{s:02d}" if s else "")


def format_date(days: int) -> Union[str, int]:
    text = _date_text(days)
    return days if text is None else text


def format_datetime(us: int) -> Union[str, int]:
    text = _datetime_text(us)
    return us if text is None else text + "Z"


def format_time(us: int) -> str:
    return _time_text(us)


def format_zoned(z: Zoned) -> Union[str, dict]:
    text = _datetime_text(z.us + z.offset * US_PER_SECOND)
    if text is None:
        return {"us": z.us, "offset": z.offset, "zone": z.zone}
    return text + _offset_text(z.offset) + (f"[{z.zone}]" if z.zone else "")


_DATE_RE = r"(\d{4})-(\d{2})-(\d{2})"
_TIME_RE = r"(\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?"
_OFFSET_RE = r"([+-])(\d{2}):(\d{2})(?::(\d{2}))?"


def _match(pattern: str, text: Any, what: str) -> re.Match:
    m = re.fullmatch(pattern, text) if isinstance(text, str) else None
    if m is None:
        raise Malformed(f"bad {what}: {text!r}")
    return m


def _days(y: str, m: str, d: str) -> int:
    year, month, day = int(y), int(m), int(d)
    days = days_from_civil(year, month, day) if 1 <= month <= 12 else None
    if year < 1 or days is None or civil_from_days(days) != (year, month,
                                                             day):
        raise Malformed(f"bad date: {y}-{m}-{d}")
    return days


def _time_us(h: str, m: str, s: str, frac: Optional[str]) -> int:
    if int(h) > 23 or int(m) > 59 or int(s) > 59:
        raise Malformed(f"bad time: {h}:{m}:{s}")
    micros = int((frac or "0").ljust(6, "0"))
    return (int(h) * 3600 + int(m) * 60 + int(s)) * US_PER_SECOND + micros


def parse_date(v: Any) -> int:
    if type(v) is int:
        _check_int(v, *INT64)
        return v
    return _days(*_match(_DATE_RE, v, "date").groups())


def parse_datetime(v: Any) -> int:
    if type(v) is int:
        _check_int(v, *INT64)
        return v
    g = _match(_DATE_RE + "T" + _TIME_RE + "Z", v, "datetime").groups()
    return _days(*g[:3]) * US_PER_DAY + _time_us(*g[3:])


def parse_time(v: Any) -> int:
    if type(v) is int:
        _check_int(v, 0, US_PER_DAY - 1)
        return v
    return _time_us(*_match(_TIME_RE, v, "time").groups())


def parse_zoned(v: Any) -> Zoned:
    if isinstance(v, dict):
        if set(v) != {"us", "offset", "zone"}:
            raise Malformed(f"bad zoned datetime: {v!r}")
        _check_int(v["us"], *INT64)
        _check_int(v["offset"], -MAX_OFFSET, MAX_OFFSET)
        if not isinstance(v["zone"], str):
            raise Malformed(f"bad zone: {v['zone']!r}")
        return Zoned(v["us"], v["offset"], v["zone"])
    pattern = _DATE_RE + "T" + _TIME_RE + _OFFSET_RE + r"(?:\[([^\]]+)\])?"
    g = _match(pattern, v, "zoned datetime").groups()
    local = _days(*g[:3]) * US_PER_DAY + _time_us(*g[3:7])
    sign, oh, om, os_ = g[7:11]
    if int(om) > 59 or int(os_ or 0) > 59:
        raise Malformed(f"bad offset: {v!r}")
    offset = int(oh) * 3600 + int(om) * 60 + int(os_ or 0)
    offset = -offset if sign == "-" else offset
    _check_int(offset, -MAX_OFFSET, MAX_OFFSET)
    return Zoned(local - offset * US_PER_SECOND, offset, g[11] or "")


# ---------------------------------------------------------------- JSON text

class _Number(str):
    """Number text to write as is."""


def _round_trips32(text: str, v: float) -> bool:
    try:
        return struct.unpack("<f", struct.pack("<f", float(text)))[0] == v
    except OverflowError:
        return False


def float_text(v: float, binary32: bool = False) -> Union[str, _Number]:
    """Shortest text that reads back as v; "NaN" and "Infinity" as strings."""
    if math.isnan(v):
        return "NaN"
    if math.isinf(v):
        return "Infinity" if v > 0 else "-Infinity"
    text = repr(v)
    if binary32:
        for digits in range(1, 10):
            text = f"{v:.{digits}g}"
            if _round_trips32(text, v):
                break
    if not any(c in text for c in ".eE"):
        text += ".0"
    return _Number(text)


def dumps(value: Any) -> str:
    """Compact JSON of dicts, lists, str, int, bool, None and _Number."""
    if isinstance(value, _Number):
        return str(value)
    if isinstance(value, dict):
        return "{" + ",".join(dumps(k) + ":" + dumps(v)
                              for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ",".join(dumps(v) for v in value) + "]"
    if value is None or isinstance(value, (bool, int, str)):
        return json.dumps(value, ensure_ascii=False)
    raise TypeError(f"cannot write {value!r} as JSON")


def _reject_constant(name: str) -> None:
    raise Malformed(f"bad JSON number {name}")


def _unique_object(pairs: list) -> dict:
    obj = {}
    for key, value in pairs:
        if key in obj:
            raise Malformed(f"duplicate key {key!r}")
        obj[key] = value
    return obj


_DECODER = json.JSONDecoder(object_pairs_hook=_unique_object,
                            parse_constant=_reject_constant)


def loads_all(text: str) -> Iterator[Any]:
    """Every JSON value of text, one after another (JSON lines or pretty)."""
    pos = 0
    while True:
        while pos < len(text) and text[pos] in " \t\r\n":
            pos += 1
        if pos == len(text):
            return
        value, pos = _DECODER.raw_decode(text, pos)
        yield value


# ---------------------------------------------------------------- typed JSON

def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: Any) -> bytes:
    try:
        return base64.b64decode(text, validate=True)
    except (TypeError, ValueError):
        raise Malformed(f"bad base64: {text!r}") from None


def _typed_value(f: Field) -> Any:
    t, v = f.type, f.value
    if t in ("FLOAT", "DOUBLE"):
        return float_text(v, t == "FLOAT")
    if t == "BYTE_ARRAY":
        return _b64(v)
    if t == "DATE":
        return format_date(v)
    if t == "DATETIME":
        return format_datetime(v)
    if t == "TIME":
        return format_time(v)
    if t == "ZONED_DATETIME":
        return format_zoned(v)
    if t == "LIST":
        return [typed_field(item) for item in v]
    if t in ("MAP", "LIST_MAP"):
        return {k: typed_field(item) for k, item in v.items()}
    return v


def typed_field(f: Field) -> dict:
    out = {f.type: None if f.value is None else _typed_value(f)}
    if f.attributes:
        out["attributes"] = dict(f.attributes)
    return out


def to_typed(item: Item) -> dict:
    """The typed JSON rendering of a frame, ready for dumps()."""
    if isinstance(item, Batch):
        return {"kind": "batch"}
    if isinstance(item, Unknown):
        return {"kind": item.kind, "payload": _b64(item.payload)}
    out = {"kind": item.kind, "id": item.id, "stages": list(item.stages),
           "attributes": dict(item.attributes)}
    if item.error is not None:
        out["error"] = dataclasses.asdict(item.error)
    if item.event is not None:
        out["event"] = dataclasses.asdict(item.event)
    out["value"] = typed_field(item.root)
    return out


def _number(v: Any, binary32: bool) -> float:
    special = {"NaN": math.nan, "Infinity": math.inf, "-Infinity": -math.inf}
    if isinstance(v, str) and v in special:
        return special[v]
    if type(v) not in (int, float):
        raise Malformed(f"not a number: {v!r}")
    d = float(v)
    if math.isinf(d):
        raise Malformed(f"number out of range: {v!r}")
    if binary32:
        try:
            return struct.unpack("<f", struct.pack("<f", d))[0]
        except OverflowError:
            raise Malformed(f"number out of range: {v!r}") from None
    return d


def _from_typed_value(t: str, v: Any) -> Any:
    if t == "BOOLEAN":
        if type(v) is not bool:
            raise Malformed(f"not a boolean: {v!r}")
        return v
    if t in ("BYTE", "SHORT", "INTEGER", "LONG"):
        _check_int(v, *INT_RANGES[t])
        return v
    if t in ("FLOAT", "DOUBLE"):
        return _number(v, t == "FLOAT")
    if t == "CHAR":
        if not isinstance(v, str) or len(v) != 1 or _is_surrogate(v):
            raise Malformed(f"not one character: {v!r}")
        return v
    if t in ("STRING", "DECIMAL"):
        if not isinstance(v, str):
            raise Malformed(f"not a string: {v!r}")
        if t == "DECIMAL" and not DECIMAL_RE.fullmatch(v):
            raise Malformed(f"bad decimal: {v!r}")
        return v
    if t == "BYTE_ARRAY":
        return _unb64(v)
    parse = {"DATE": parse_date, "DATETIME": parse_datetime,
             "TIME": parse_time, "ZONED_DATETIME": parse_zoned}.get(t)
    if parse:
        return parse(v)
    if t == "LIST":
        if not isinstance(v, list):
            raise Malformed(f"not an array: {v!r}")
        return [from_typed_field(item) for item in v]
    if not isinstance(v, dict):
        raise Malformed(f"not an object: {v!r}")
    return {k: from_typed_field(item) for k, item in v.items()}


def _field_attributes(obj: Any) -> dict:
    if not isinstance(obj, dict) or not obj:
        raise Malformed(f"field attributes: not an object of strings: "
                        f"{obj!r}")
    return {k: _str(v, "a field attribute") for k, v in obj.items()}


def from_typed_field(obj: Any) -> Field:
    """A typed field: its type's name as key, and "attributes" if any."""
    if not isinstance(obj, dict) or not 1 <= len(obj) <= 2 or \
            (len(obj) == 2 and "attributes" not in obj):
        raise Malformed(f"a typed field is an object of one key: {obj!r}")
    obj = dict(obj)
    attributes = _field_attributes(obj.pop("attributes")) \
        if len(obj) == 2 else {}
    (t, v), = obj.items()
    if t not in TYPE_CODES:
        raise Malformed(f"unknown type {t!r}")
    return Field(t, None if v is None else _from_typed_value(t, v),
                 attributes)


def _str(v: Any, what: str) -> str:
    if not isinstance(v, str):
        raise Malformed(f"{what} must be a string: {v!r}")
    return v


def _string_of(obj: dict, key: str, default: Any = None) -> str:
    return _str(obj.get(key, default), repr(key))


def _keys(obj: Any, required: set, optional: set = frozenset()) -> dict:
    if not isinstance(obj, dict):
        raise Malformed(f"not an object: {obj!r}")
    missing, extra = required - set(obj), set(obj) - required - optional
    if missing or extra:
        raise Malformed(f"bad keys: missing {sorted(missing)}, "
                        f"unexpected {sorted(extra)}")
    return obj


def from_typed(obj: Any) -> Item:
    """The frame a typed JSON object stands for."""
    kind = _keys(obj, {"kind"}, {"id", "stages", "attributes", "error",
                                 "event", "value", "payload"})["kind"]
    if kind == "batch":
        _keys(obj, {"kind"})
        return Batch()
    if type(kind) is int:
        _keys(obj, {"kind", "payload"})
        if not 6 <= kind <= 0x7F:
            raise Malformed(f"frame kind {kind} cannot be passed on")
        return Unknown(kind, _unb64(obj["payload"]))
    if kind not in KIND_OF_NAME:
        raise Malformed(f"unknown kind {kind!r}")
    info = {"error": {"error"}, "event": {"event"}}.get(kind, set())
    _keys(obj, {"kind", "value"} | info, {"id", "stages", "attributes"})
    stages = obj.get("stages", [])
    attributes = obj.get("attributes", {})
    if not isinstance(stages, list) or not isinstance(attributes, dict):
        raise Malformed("bad stages or attributes")
    rec = Record(kind, from_typed_field(obj["value"]),
                 id=_string_of(obj, "id", ""),
                 stages=[_str(s, "a stage") for s in stages],
                 attributes={k: _string_of(attributes, k) for k in attributes})
    if kind == "error":
        e = _keys(obj["error"], {"code", "message", "stage", "timestamp"})
        _check_int(e["timestamp"], *INT64)
        rec.error = ErrorInfo(_string_of(e, "code"), _string_of(e, "message"),
                              _string_of(e, "stage"), e["timestamp"])
    elif kind == "event":
        e = _keys(obj["event"], {"type", "version", "timestamp"})
        _check_int(e["version"], 0, UINT64_MAX)
        _check_int(e["timestamp"], *INT64)
        rec.event = EventInfo(_string_of(e, "type"), e["version"],
                              e["timestamp"])
    return rec


# ---------------------------------------------------------------- plain JSON

def plain_field(f: Field) -> Any:
    t, v = f.type, f.value
    if v is None:
        return None
    if t == "DECIMAL":
        return _Number(v)
    if t == "LIST":
        return [plain_field(item) for item in v]
    if t in ("MAP", "LIST_MAP"):
        return {k: plain_field(item) for k, item in v.items()}
    return _typed_value(f)


def _iso_ms(ms: int) -> Union[str, int]:
    text = _datetime_text(ms * 1000)
    if text is None:
        return ms
    return (text if "." in text else text + ".000") + "Z"


def to_plain(item: Item) -> Optional[Any]:
    """The plain JSON rendering of a frame, or None when not shown."""
    if not isinstance(item, Record):
        return None
    if item.kind == "data":
        return plain_field(item.root)
    if item.kind == "error":
        e = item.error
        return {"@error": {"code": e.code, "message": e.message,
                           "stage": e.stage, "timestamp": _iso_ms(e.timestamp),
                           "id": item.id, "record": plain_field(item.root)}}
    e = item.event
    return {"@event": {"type": e.type, "version": e.version,
                       "timestamp": _iso_ms(e.timestamp), "id": item.id,
                       "record": plain_field(item.root)}}


# ---------------------------------------------------------------- command

PROG = "sdcrecord"


def _open_input(path: str) -> BinaryIO:
    return sys.stdin.buffer if path == "-" else open(path, "rb")


def cmd_to_json(path: str, plain: bool) -> int:
    name = "stdin" if path == "-" else path
    out = sys.stdout.buffer
    with _open_input(path) as src:
        try:
            for item in read_stream(src, name, PROG):
                value = to_plain(item) if plain else to_typed(item)
                if value is not None or not plain:
                    out.write(dumps(value).encode("utf-8") + b"\n")
        except StreamError as e:
            out.flush()
            print(f"{PROG}: {e.describe(name)}", file=sys.stderr)
            return 4
    return 0


def cmd_from_json(path: str) -> int:
    with _open_input(path) as src:
        text = src.read().decode("utf-8")
    try:
        items = [from_typed(obj) for obj in loads_all(text)]
    except (Malformed, json.JSONDecodeError) as e:
        print(f"{PROG}: {path}: {e}", file=sys.stderr)
        return 1
    writer = StreamWriter(sys.stdout.buffer)
    for item in items:
        writer.write(item)
    writer.close()
    return 0


def main(argv: list) -> int:
    args = argv[1:]
    if len(args) == 3 and args[:2] == ["to-json", "--plain"]:
        return cmd_to_json(args[2], True)
    if len(args) == 2 and args[0] == "to-json":
        return cmd_to_json(args[1], False)
    if len(args) == 2 and args[0] == "from-json":
        return cmd_from_json(args[1])
    print(f"usage: {PROG}.py to-json [--plain] FILE\n"
          f"       {PROG}.py from-json FILE", file=sys.stderr)
    return 2


def _run() -> int:
    try:
        return main(sys.argv)
    except BrokenPipeError:
        # The reader went away, as head(1) does: stop quietly.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 0


if __name__ == "__main__":
    sys.exit(_run())
