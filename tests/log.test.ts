// The "asyncio" logger and the Python-style reprs console.log shows.
import { test } from "./harness.ts";
import { assertEquals } from "./assert.ts";
import { inspect } from "node:util";
import * as asyncio from "../mod.ts";
import { runScript } from "./util.ts";

test("the logger is named asyncio, defaults to WARNING and filters by level", () => {
  const log = asyncio.logger;
  assertEquals(log.name, "asyncio");
  assertEquals(log.getEffectiveLevel(), asyncio.WARNING);
  const got: string[] = [];
  const h = (r: asyncio.LogRecord) => got.push(`${r.levelName}:${r.message}`);
  log.addHandler(h);
  try {
    log.debug("d");
    log.info("i");
    log.warning("w");
    log.setLevel(asyncio.DEBUG);
    log.debug("d2");
    log.setLevel(asyncio.ERROR);
    log.warning("w2");
    log.critical("c");
  } finally {
    log.setLevel(0);
    log.removeHandler(h);
  }
  assertEquals(got, ["WARNING:w", "DEBUG:d2", "CRITICAL:c"]);
});

test("with no handler, WARNING and above go to stderr as bare messages", async () => {
  const r = await runScript("tests/fixtures/log_last_resort.ts", { timeout: 20 });
  assertEquals(r.code, 0);
  assertEquals(r.stderr, "shown: warning\nshown: error\n");
});

test("console.log shows loops, futures and handles as Python prints them", () => {
  const loop = asyncio.newEventLoop();
  try {
    assertEquals(inspect(loop), "<_UnixSelectorEventLoop running=False closed=False debug=False>");
    const f = loop.createFuture();
    f.setResult([1, "a", null, true]);
    assertEquals(inspect(f), "<Future finished result=[1, 'a', None, True]>");
    assertEquals(inspect(loop.callSoon(function hi() {}, 3)), "<Handle hi(3)>");
  } finally {
    loop.close();
  }
});
