// Constructor mistakes on the synchronization primitives give Python's
// TypeError / ValueError texts: `new Barrier()` is a missing argument, not a
// comparison with None.
// Checked against CPython (tests/fixtures/py/rp_sync5_ctor_args.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

// The calls are wrong on purpose: a program run without type checking.
type Loose = new (...args: unknown[]) => unknown;
const Barrier = asyncio.Barrier as unknown as Loose;
const Lock = asyncio.Lock as unknown as Loose;
const Queue = asyncio.Queue as unknown as Loose;
const Condition = asyncio.Condition as unknown as Loose;

function app(print: (...args: unknown[]) => void): void {
  const makers = [
    () => new Barrier(),
    () => new Barrier({ parties: null }),
    () => new Barrier(0),
    () => new Lock({ loop: null }),
    () => new Queue(1, 2),
    () => new asyncio.Semaphore(-1),
    () => new Condition(new asyncio.Lock(), 1),
  ];
  for (const make of makers) {
    try {
      make();
    } catch (e) {
      print((e as Error).constructor.name, (e as Error).message);
    }
  }
  const b = new asyncio.Barrier({ parties: 2 });
  print(b.parties, b.nWaiting, b.broken);
}

const EXPECTED = [
  "TypeError Barrier.__init__() missing 1 required positional argument: 'parties'",
  "TypeError '<' not supported between instances of 'NoneType' and 'int'",
  "ValueError parties must be > 0",
  "TypeError Lock.__init__() got an unexpected keyword argument 'loop'",
  "TypeError Queue.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "ValueError Semaphore initial value must be >= 0",
  "TypeError Condition.__init__() takes from 1 to 2 positional arguments but 3 were given",
  "2 0 False",
];

test("constructor mistakes on the primitives give Python's errors", async () => {
  const out: string[] = [];
  await asyncio.run(() => app(printer(out)));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_sync5_ctor_args.py", () => {
  const ref = pythonReference("rp_sync5_ctor_args");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
