/**
 * The spec's "Subprocess using streams": `createSubprocessExec()` with
 * `stdout: PIPE`, one line read from the `StreamReader`, then `wait()`. The
 * child is python3 running the spec's code, or `date` with `--date`.
 *
 * Run: deno run -A examples/subprocess_streams.ts
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

const useDate = process.argv.includes("--date");

async function getDate(): Promise<string> {
  const code = "import datetime; print(datetime.datetime.now())";
  const argv = useDate ? ["date", "+%Y-%m-%d %H:%M:%S.%6N"] : ["python3", "-c", code];

  // Create the subprocess, redirect the standard output into a pipe
  const proc = await asyncio.createSubprocessExec(argv[0], ...argv.slice(1), {
    stdout: asyncio.PIPE,
  });

  // Read one line of output
  const data = await proc.stdout!.readLine();
  const line = new TextDecoder("ascii").decode(data).trimEnd();

  // Wait for the subprocess exit
  await proc.wait();
  return line;
}

const loop = new asyncio.SelectorEventLoop();
asyncio.setEventLoop(loop);
const date = await loop.runUntilComplete<string>(getDate);
console.log(`Current date: ${date}`);
loop.close();
