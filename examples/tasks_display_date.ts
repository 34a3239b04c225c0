/**
 * The spec's "Example: Coroutine displaying the current date": prints the
 * date every second for 5 seconds, with `sleep()`. An optional argument
 * changes the 5 seconds (the tests pass 2).
 *
 * Run: deno run -A examples/tasks_display_date.ts
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

/** `2026-11-24 08:10:00.123000`, as Python prints `datetime.datetime.now()`. */
function now(): string {
  const d = new Date();
  const p = (n: number, w = 2) => String(n).padStart(w, "0");
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ` +
    `${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}.${
      p(d.getMilliseconds() * 1000, 6)
    }`;
}

const seconds = Number(process.argv.at(-1)) > 0 ? Number(process.argv.at(-1)) : 5.0;

async function displayDate() {
  const loop = asyncio.getRunningLoop();
  const endTime = loop.time() + seconds;
  while (true) {
    console.log(now());
    if (loop.time() + 1.0 >= endTime) break;
    await asyncio.sleep(1);
  }
}

await asyncio.run(displayDate);
