// print() of a selector shows Python's default repr with the selectors
// module (`<selectors.PollSelector object at 0x...>`; a program's subclass
// is `__main__`'s), as a loop made on one and the policy print theirs.
// Checked against CPython (tests/fixtures/py/rp_repr3_selectors.py).
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { printer, pythonReference } from "./pyref.ts";
import * as asyncio from "../mod.ts";

const masked = (x: unknown) => String(x).replace(/0x[0-9a-f]+/g, "0x..");

class MySelector extends asyncio.PollSelector {}

function app(print: (...args: unknown[]) => void): void {
  const sel = new asyncio.PollSelector();
  print(masked(sel));
  const loop = new asyncio.SelectorEventLoop(sel);
  print(masked(loop));
  loop.close();
  print(masked(loop));
  for (
    const s of [
      new asyncio.EpollSelector(),
      new asyncio.SelectSelector(),
      new asyncio.DefaultSelector(),
      new MySelector(),
    ]
  ) {
    print(masked(s), s.constructor.name);
    s.close();
  }
  print(masked(asyncio.getEventLoopPolicy()));
}

const EXPECTED = [
  "<selectors.PollSelector object at 0x..>",
  "<_UnixSelectorEventLoop running=False closed=False debug=False>",
  "<_UnixSelectorEventLoop running=False closed=True debug=False>",
  "<selectors.EpollSelector object at 0x..> EpollSelector",
  "<selectors.SelectSelector object at 0x..> SelectSelector",
  "<selectors.EpollSelector object at 0x..> EpollSelector",
  "<__main__.MySelector object at 0x..> MySelector",
  "<asyncio.unix_events._UnixDefaultEventLoopPolicy object at 0x..>",
];

test("selectors print as Python's", () => {
  const out: string[] = [];
  app(printer(out));
  assertEquals(out, EXPECTED);
});

test("CPython prints the same for rp_repr3_selectors.py", () => {
  const ref = pythonReference("rp_repr3_selectors");
  if (ref !== null) assertEquals(ref.lines, EXPECTED, ref.python);
}, { fdCheck: false, timeout: 30 });
