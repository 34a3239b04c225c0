"""Task, future, lock and queue throughput on CPython asyncio (or uvloop
with --uvloop).

The same four benchmarks as bench/tasks.ts, with the same sizes, warm-up,
best-of-3 and JSON lines:

    gather_100k_tasks      100,000 tasks of `async def f(i): return i`,
                           created with create_task and awaited with one gather
    future_roundtrip_100k  two tasks ping-pong 100,000 times through futures,
                           each side making its next future once woken
    lock_handoff_100k      4 tasks each doing `async with lock: counter += 1`
                           in a loop (no sleep(0)), 100,000 in total
    queue_1m_items         a producer puts 1,000,000 items into a
                           Queue(maxsize=1000) and a consumer gets them

Each is timed inside its main coroutine, on a fresh loop per run.

    /usr/bin/python3 bench/tasks.py            # CPython asyncio
    /usr/bin/python3 bench/tasks.py --uvloop   # uvloop (python3-uvloop)

Options: --repeat=N (measured runs, default 5), --scale=F (multiply every
size, e.g. 0.1 for a quick check).
"""

import asyncio
import sys
import time

from benchlib import run_benches

LOCK_TASKS = 4


def check(name, got, want):
    if got != want:
        raise RuntimeError(f"{name}: got {got}, expected {want}")


def on_loop(new_loop, main):
    loop = new_loop()
    try:
        return loop.run_until_complete(main())
    finally:
        loop.close()


async def f(i):
    return i


def gather_tasks(new_loop, n):
    async def main():
        t0 = time.perf_counter()
        create_task = asyncio.create_task
        tasks = [create_task(f(i)) for i in range(n)]
        results = await asyncio.gather(*tasks)
        dt = time.perf_counter() - t0
        check("gather", len(results), n)
        check("gather last", results[-1], n - 1)
        return dt

    return on_loop(new_loop, main)


def future_roundtrip(new_loop, n):
    async def main():
        loop = asyncio.get_running_loop()
        fa = loop.create_future()
        fb = loop.create_future()
        trips = 0

        async def a():
            nonlocal fa
            for i in range(n):
                fb.set_result(i)
                await fa
                fa = loop.create_future()

        async def b():
            nonlocal fb, trips
            for i in range(n):
                await fb
                fb = loop.create_future()
                trips += 1
                fa.set_result(i)

        t0 = time.perf_counter()
        await asyncio.gather(asyncio.create_task(a()), asyncio.create_task(b()))
        dt = time.perf_counter() - t0
        check("future_roundtrip", trips, n)
        return dt

    return on_loop(new_loop, main)


def lock_handoff(new_loop, n):
    async def main():
        lock = asyncio.Lock()
        counter = 0
        per = -(-n // LOCK_TASKS)

        async def worker(k):
            nonlocal counter
            for _ in range(k):
                async with lock:
                    counter += 1

        t0 = time.perf_counter()
        tasks = []
        left = n
        for _ in range(LOCK_TASKS):
            k = min(per, left)
            left -= k
            tasks.append(asyncio.create_task(worker(k)))
        await asyncio.gather(*tasks)
        dt = time.perf_counter() - t0
        check("lock_handoff", counter, n)
        return dt

    return on_loop(new_loop, main)


def queue_items(new_loop, n):
    async def main():
        q = asyncio.Queue(maxsize=1000)
        total = 0

        async def producer():
            for i in range(n):
                await q.put(i)

        async def consumer():
            nonlocal total
            for _ in range(n):
                total += await q.get()

        t0 = time.perf_counter()
        await asyncio.gather(asyncio.create_task(producer()), asyncio.create_task(consumer()))
        dt = time.perf_counter() - t0
        check("queue", total, n * (n - 1) // 2)
        return dt

    return on_loop(new_loop, main)


BENCHES = [
    ("gather_100k_tasks", 100_000, 10_000, gather_tasks),
    ("future_roundtrip_100k", 100_000, 10_000, future_roundtrip),
    ("lock_handoff_100k", 100_000, 10_000, lock_handoff),
    ("queue_1m_items", 1_000_000, 50_000, queue_items),
]


if __name__ == "__main__":
    sys.exit(run_benches("tasks.py", BENCHES, sys.argv[1:], repeat=5))
