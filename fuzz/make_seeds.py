#!/usr/bin/env python3
"""Writes the fuzz seeds: small valid snapshots (format version 1), encoded
here from docs/snapshot-format.md rather than by the library, so that they
also check the library reads the format as documented.

Usage: python3 fuzz/make_seeds.py  (from the repository root)
"""
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


def snapshot(dbs, created=1700000000000):
    header = b"KVS1" + struct.pack("<HHQI", 1, 0, created, len(dbs))
    for records in dbs:
        with_ttl = sum(1 for r in records if r[2] is not None)
        header += struct.pack("<QQ", len(records), with_ttl)
    header += struct.pack("<I", zlib.crc32(header))
    parts = [header]
    for records in dbs:
        for key, value, expiry_ms in records:
            blob = varint(len(value)) + value  # a postcard byte string
            parts.append(bytes([1 if expiry_ms is not None else 0]))
            parts.append(struct.pack("<I", len(key)) + key)
            if expiry_ms is not None:
                parts.append(struct.pack("<Q", expiry_ms))
            parts.append(struct.pack("<I", len(blob)) + blob)
    everything = b"".join(parts)
    return everything + struct.pack("<I", zlib.crc32(everything))


SEEDS = {
    "empty.kvs": snapshot([[]]),
    "one.kvs": snapshot([[(b"key", b"value", None)]]),
    "ttl.kvs": snapshot(
        [[(b"a", b"1", None), (b"s", b"token", 4102444800000), (b"\xff\x00", b"\x00\xfe", None)]]
    ),
    "two_dbs.kvs": snapshot([[(b"x", b"", None)], [(b"", b"y", 1)]]),
}

if __name__ == "__main__":
    for name, data in SEEDS.items():
        with open("fuzz/seeds/" + name, "wb") as f:
            f.write(data)
