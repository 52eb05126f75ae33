#!/usr/bin/env python3
"""Writes the fuzz seeds: small valid snapshots, encoded here from
docs/snapshot-format.md rather than by the library, so that they also check
the library reads the format as documented.

- fuzz/seeds/*.kvs: format version 1 (the golden files the test suite loads
  forever: do not change them) and format version 2 (v2_*.kvs), values as
  postcard byte strings;
- fuzz/seeds/server/*.kvs: format version 2 files of `kvs serve` (value
  version 1: a type tag and a payload, see "How kvs serve encodes its
  values"), with every type.

Usage: python3 fuzz/make_seeds.py  (from the repository root)
"""
import os
import struct
import zlib


def varint(n):
    out = b""
    while True:
        b = n & 0x7F
        n >>= 7
        if n:
            out += bytes([b | 0x80])
        else:
            return out + bytes([b])


def bstr(b):
    """A postcard byte string: varint length, then the bytes."""
    return varint(len(b)) + b


class Blob:
    """A value already encoded (written as is inside its value_len frame)."""

    def __init__(self, data):
        self.data = data


def snapshot(dbs, created=1700000000000, version=1, value_version=0):
    header = b"KVS1" + struct.pack("<HHQI", version, 0, created, len(dbs))
    if version >= 2:
        header += struct.pack("<I", value_version)
    for records in dbs:
        with_ttl = sum(1 for r in records if r[2] is not None)
        header += struct.pack("<QQ", len(records), with_ttl)
    header += struct.pack("<I", zlib.crc32(header))
    parts = [header]
    for records in dbs:
        for key, value, expiry_ms in records:
            blob = value.data if isinstance(value, Blob) else bstr(value)
            parts.append(bytes([1 if expiry_ms is not None else 0]))
            parts.append(struct.pack("<I", len(key)) + key)
            if expiry_ms is not None:
                parts.append(struct.pack("<Q", expiry_ms))
            parts.append(struct.pack("<I", len(blob)) + blob)
    everything = b"".join(parts)
    return everything + struct.pack("<I", zlib.crc32(everything))


# kvs serve's value version 1: a type tag varint, then the payload.
def string(b):
    return Blob(varint(0) + bstr(b))


def hash_(pairs):
    return Blob(varint(1) + varint(len(pairs)) + b"".join(bstr(f) + bstr(v) for f, v in pairs))


def list_(elements):
    return Blob(varint(2) + varint(len(elements)) + b"".join(bstr(e) for e in elements))


def set_(members):
    return Blob(varint(3) + varint(len(members)) + b"".join(bstr(m) for m in members))


def server(dbs):
    return snapshot(dbs, version=2, value_version=1)


FAR = 4102444800000  # 2100-01-01 in Unix ms

SEEDS = {
    "empty.kvs": snapshot([[]]),
    "one.kvs": snapshot([[(b"key", b"value", None)]]),
    "ttl.kvs": snapshot(
        [[(b"a", b"1", None), (b"s", b"token", FAR), (b"\xff\x00", b"\x00\xfe", None)]]
    ),
    "two_dbs.kvs": snapshot([[(b"x", b"", None)], [(b"", b"y", 1)]]),
    # Format version 2: the same records, at value version 3.
    "v2_ttl.kvs": snapshot(
        [[(b"a", b"1", None), (b"s", b"token", FAR), (b"\xff\x00", b"\x00\xfe", None)]],
        version=2,
        value_version=3,
    ),
    "v2_empty.kvs": snapshot([[], []], version=2),
    "server/types.kvs": server(
        [
            [
                (b"str", string(b"hello"), None),
                (b"int", string(b"12345"), FAR),
                (b"hash", hash_([(b"f1", b"v1"), (b"f2", b"\xff")]), None),
                (b"list", list_([b"a", b"b", b"a"]), FAR),
                (b"ints", set_([b"3", b"1", b"2"]), None),
                (b"names", set_([b"x", b"1"]), FAR),
            ]
        ]
    ),
    "server/large.kvs": server(
        [
            [
                (b"h", hash_([(b"f%d" % i, b"%d" % i) for i in range(600)]), None),
                (b"l", list_([b"e%d" % i for i in range(300)]), None),
                (b"s", set_([b"%d" % i for i in range(600)]), None),
            ],
            [(b"long", hash_([(b"f", b"x" * 70)]), FAR)],
        ]
    ),
}

if __name__ == "__main__":
    os.makedirs("fuzz/seeds/server", exist_ok=True)
    for name, data in SEEDS.items():
        with open("fuzz/seeds/" + name, "wb") as f:
            f.write(data)
