/**
 * The spec's "Display the current date with call_later()": a callback that
 * prints the date every second and reschedules itself for 5 seconds.
 * An optional argument changes the 5 seconds (the tests pass 2).
 *
 * Run: deno run -A examples/display_date_calllater.ts
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

function displayDate(endTime: number, loop: asyncio.AbstractEventLoop) {
  console.log(now());
  if (loop.time() + 1.0 < endTime) {
    loop.callLater(1, displayDate, endTime, loop);
  } else {
    loop.stop();
  }
}

const seconds = Number(process.argv.at(-1)) > 0 ? Number(process.argv.at(-1)) : 5.0;
const loop = asyncio.getEventLoop();

// Schedule the first call to displayDate()
const endTime = loop.time() + seconds;
loop.callSoon(displayDate, endTime, loop);

// Blocking call interrupted by loop.stop()
await loop.runForever();
loop.close();
