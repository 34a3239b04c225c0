"""Loop callback throughput on CPython asyncio (or uvloop with --uvloop).

The same three benchmarks as bench/loop_callbacks.ts, with the same sizes,
the same seeded timer delays, warm-up and best-of-3, and the same JSON lines:

    {"bench": "call_soon_chain_1M", "runtime": "uvloop", "seconds": ..., "per_sec": ...}

    /usr/bin/python3 bench/loop_callbacks.py            # CPython asyncio
    /usr/bin/python3 bench/loop_callbacks.py --uvloop   # uvloop (python3-uvloop)

Options: --repeat=N (measured runs, default 3), --scale=F (multiply every
size, e.g. 0.1 for a quick check).
"""

import asyncio
import sys
import os
import time

from benchlib import run_benches

M32 = 0xFFFFFFFF
SEED = 20240501


def mulberry32(seed):
    """The same sequence as mulberry32 in loop_callbacks.ts."""
    a = seed & M32

    def nxt():
        nonlocal a
        a = (a + 0x6D2B79F5) & M32
        t = ((a ^ (a >> 15)) * (1 | a)) & M32
        t = ((t + (((t ^ (t >> 7)) * (61 | t)) & M32)) & M32) ^ t
        return ((t ^ (t >> 14)) & M32) / 4294967296

    return nxt


def delays(n):
    rnd = mulberry32(SEED)
    return [rnd() * 0.1 for _ in range(n)]


def check(name, got, want):
    if got != want:
        raise RuntimeError(f"{name}: {got} callbacks ran, expected {want}")


def call_soon_batch(new_loop, n):
    loop = new_loop()
    count = 0

    def inc():
        nonlocal count
        count += 1

    def last():
        nonlocal count
        count += 1
        loop.stop()

    call_soon = loop.call_soon
    t0 = time.perf_counter()
    for _ in range(n - 1):
        call_soon(inc)
    call_soon(last)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    check("call_soon_batch", count, n)
    return dt


def call_soon_chain(new_loop, n):
    loop = new_loop()
    count = 0

    def step():
        nonlocal count
        count += 1
        if count < n:
            loop.call_soon(step)
        else:
            loop.stop()

    t0 = time.perf_counter()
    loop.call_soon(step)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    check("call_soon_chain", count, n)
    return dt


def call_soon_chain_idle_fd(new_loop, n):
    """The chain again, with one idle pipe watched by add_reader: what a
    program with a socket open pays per iteration."""
    r, w = os.pipe()
    loop = new_loop()
    loop.add_reader(r, lambda: None)
    count = 0

    def step():
        nonlocal count
        count += 1
        if count < n:
            loop.call_soon(step)
        else:
            loop.stop()

    t0 = time.perf_counter()
    loop.call_soon(step)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.remove_reader(r)
    loop.close()
    os.close(r)
    os.close(w)
    check("call_soon_chain_idle_fd", count, n)
    return dt


def call_later_random(new_loop, n):
    ds = delays(n)
    loop = new_loop()
    count = 0

    def fired():
        nonlocal count
        count += 1
        if count == n:
            loop.stop()

    call_later = loop.call_later
    t0 = time.perf_counter()
    for d in ds:
        call_later(d, fired)
    loop.run_forever()
    dt = time.perf_counter() - t0
    loop.close()
    check("call_later", count, n)
    return dt


BENCHES = [
    ("call_soon_batch_1M", 1_000_000, 50_000, call_soon_batch),
    ("call_soon_chain_1M", 1_000_000, 50_000, call_soon_chain),
    ("call_soon_chain_idle_fd_1M", 1_000_000, 50_000, call_soon_chain_idle_fd),
    ("call_later_100k", 100_000, 10_000, call_later_random),
]


if __name__ == "__main__":
    sys.exit(run_benches("loop_callbacks.py", BENCHES, sys.argv[1:]))
