#!/usr/bin/env python3
"""The peer of scripts/bench-convert's protobuf case: Python protobuf (upb).

Usage: bench-protobuf-peer.py read DESC MESSAGE FILE
       bench-protobuf-peer.py write DESC MESSAGE FILE.json

read parses each message of the varint-length-delimited stream FILE;
write makes a message of each JSON line of flat records (scalars as
numbers or text, a Timestamp as RFC 3339 text) and writes the stream to
standard output.  The message class is built at run time from the
descriptor set DESC, as sdc-convert takes it.
"""

import json
import sys

from google.protobuf import descriptor_pb2, descriptor_pool
from google.protobuf import message_factory
from google.protobuf.internal.decoder import _DecodeVarint32
from google.protobuf.internal.encoder import _VarintBytes


def message_class(desc, name):
    fds = descriptor_pb2.FileDescriptorSet()
    with open(desc, "rb") as f:
        fds.ParseFromString(f.read())
    pool = descriptor_pool.DescriptorPool()
    for fp in fds.file:
        pool.Add(fp)
    return message_factory.GetMessageClass(pool.FindMessageTypeByName(name))


def read(cls, path):
    with open(path, "rb") as f:
        data = f.read()
    n = i = 0
    end = len(data)
    parse = cls.FromString
    while i < end:
        size, i = _DecodeVarint32(data, i)
        parse(data[i:i + size])
        i += size
        n += 1
    print(n, "messages")


def setters(cls):
    """A function per field that sets it from its JSON text or number."""
    out = []
    for fd in cls.DESCRIPTOR.fields:
        if fd.message_type is not None:
            out.append((fd.name, lambda m, k, v: getattr(m, k)
                        .FromJsonString(v)))
        elif fd.cpp_type in (fd.CPPTYPE_INT32, fd.CPPTYPE_INT64,
                             fd.CPPTYPE_UINT32, fd.CPPTYPE_UINT64):
            out.append((fd.name, lambda m, k, v: setattr(m, k, int(v))))
        elif fd.cpp_type in (fd.CPPTYPE_FLOAT, fd.CPPTYPE_DOUBLE):
            out.append((fd.name, lambda m, k, v: setattr(m, k, float(v))))
        else:
            out.append((fd.name, lambda m, k, v: setattr(m, k, v)))
    return out


def write(cls, path):
    out = sys.stdout.buffer
    fields = setters(cls)
    loads = json.loads
    with open(path, encoding="utf-8") as f:
        for line in f:
            d = loads(line)
            m = cls()
            for name, put in fields:
                put(m, name, d[name])
            b = m.SerializeToString()
            out.write(_VarintBytes(len(b)))
            out.write(b)


def main():
    mode, desc, name, path = sys.argv[1:5]
    cls = message_class(desc, name)
    (read if mode == "read" else write)(cls, path)


if __name__ == "__main__":
    main()
