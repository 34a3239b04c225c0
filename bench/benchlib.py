"""The command line and reporting shared by the Python benchmark files.

Each benchmark file lists (name, size, warmup, fn) entries, where fn(new_loop, n)
returns the seconds one run took, and calls run_benches().
"""
import asyncio
import json
import sys


def run_benches(prog, benches, argv, repeat=3):
    use_uvloop = False
    scale = 1.0
    for arg in argv:
        if arg == "--uvloop":
            use_uvloop = True
        elif arg.startswith("--repeat="):
            repeat = int(arg[len("--repeat="):])
        elif arg.startswith("--scale="):
            scale = float(arg[len("--scale="):])
        else:
            print(f"{prog}: unknown argument {arg}", file=sys.stderr)
            return 2
    if repeat < 1 or scale <= 0:
        print(f"{prog}: --repeat must be >= 1 and --scale > 0", file=sys.stderr)
        return 2

    if use_uvloop:
        import uvloop

        new_loop = uvloop.new_event_loop
        runtime = "uvloop"
    else:
        new_loop = asyncio.new_event_loop
        runtime = "cpython-asyncio"

    for name, size, warmup, fn in benches:
        n = max(1, round(size * scale))
        fn(new_loop, max(1, round(warmup * scale)))
        runs = [fn(new_loop, n) for _ in range(repeat)]
        best = min(runs)
        print(json.dumps({
            "bench": name,
            "runtime": runtime,
            "seconds": round(best, 6),
            "per_sec": round(n / best),
            "n": n,
            "runs": [round(s, 6) for s in runs],
        }), flush=True)
    return 0
