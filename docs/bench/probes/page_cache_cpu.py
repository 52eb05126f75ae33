"""Frees the page-cache pages of a 126 MB file on CPU 0, then writes 126 MB
into a new file (15 x 8 MiB, timed, then fsync) from CPU 0 or from CPU 1,
and prints how long the writes took (ms). The new file is deleted on CPU 0
again, so CPU 1 never frees anything itself.

Linux keeps freed pages on per-CPU lists before returning them to the
shared free lists, and each CPU allocates from its own list first: on the
2-core development VM (kernel 6.18, `high_max` 231,424 pages per CPU in
/proc/zoneinfo), pages just freed on CPU 0 are fast for CPU 0 to reuse and
often not for CPU 1 (BENCHMARKS.md, "Snapshot save, run to run").

Usage: python3 page_cache_cpu.py DIR ROUNDS   (Linux, at least 2 CPUs; the
writes are those of page_cache_reuse.py, beside it)
"""
import os
import sys

from page_cache_reuse import write_file

d, rounds = sys.argv[1], int(sys.argv[2])
everywhere = os.sched_getaffinity(0)
res = {0: [], 1: []}
try:
    for r in range(rounds):
        for cpu in (0, 1):
            os.sched_setaffinity(0, {0})
            write_file(f"{d}/freed")
            os.unlink(f"{d}/freed")
            os.sched_setaffinity(0, {cpu})
            res[cpu].append(write_file(f"{d}/new"))
            os.sched_setaffinity(0, {0})
            os.unlink(f"{d}/new")
finally:
    os.sched_setaffinity(0, everywhere)
for cpu, v in res.items():
    print(f"freed on CPU 0, written on CPU {cpu}: write ms",
          " ".join("%.0f" % (x * 1e3) for x in v))
