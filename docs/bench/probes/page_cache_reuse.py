"""Writes 126 MB (15 x 8 MiB, or smaller writes) into a new file and fsyncs it,
either right after deleting a file of the same size or 0.3 s after the last
write, and prints how long the writes took (ms). On the 2-core development VM
the first case took 26-32 ms and the second 285-315 ms (BENCHMARKS.md,
"Snapshot save, run to run").

Usage: python3 page_cache_reuse.py DIR ROUNDS
"""
import os
import sys
import time

data = os.urandom(8 << 20)


def write_file(path):
    t = time.perf_counter()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    for _ in range(15):
        os.write(fd, data)
    written = time.perf_counter() - t
    os.fsync(fd)
    os.close(fd)
    return written


def main():
    d, rounds = sys.argv[1], int(sys.argv[2])
    res = {"after_delete": [], "no_delete": []}
    for r in range(rounds):
        write_file(f"{d}/victim")
        os.unlink(f"{d}/victim")
        res["after_delete"].append(write_file(f"{d}/a{r}"))
        time.sleep(0.3)
        res["no_delete"].append(write_file(f"{d}/b{r}"))
        time.sleep(0.3)
    for k, v in res.items():
        print(k, "write ms", " ".join("%.0f" % (x * 1e3) for x in v))
    for r in range(rounds):
        os.unlink(f"{d}/a{r}")
        os.unlink(f"{d}/b{r}")


if __name__ == "__main__":
    main()
