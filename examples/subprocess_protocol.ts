/**
 * The spec's "Subprocess using transport and protocol": a SubprocessProtocol
 * collects the output of a child that prints the date, and a future is set
 * when the child exits. The spec's child is `sys.executable -c "import
 * datetime; print(datetime.datetime.now())"`; here it is python3 with the
 * same code, or `date` (`--date` as the first argument) when python3 is not
 * wanted.
 *
 * One change from the spec's text: the spec sets the exit future in
 * `process_exited()` alone, but the child's exit can be seen before the last
 * of its output is read (in CPython too, whose later docs fix the example
 * the same way), and then the date would be empty. Here the future is set
 * once both `processExited()` and `pipeConnectionLost()` have been called.
 *
 * Run: deno run -A examples/subprocess_protocol.ts
 *
 * @module
 */
import process from "node:process";
import * as asyncio from "../mod.ts";

const useDate = process.argv.includes("--date");

class DateProtocol extends asyncio.SubprocessProtocol {
  output: number[] = [];
  pipeClosed = false;
  exited = false;
  constructor(readonly exitFuture: asyncio.Future<boolean>) {
    super();
  }

  override pipeDataReceived(_fd: number, data: Uint8Array): void {
    this.output.push(...data);
  }

  override pipeConnectionLost(_fd: number, _exc: Error | null): void {
    this.pipeClosed = true;
    this.checkForExit();
  }

  override processExited(): void {
    this.exited = true;
    // processExited() can be called before pipeConnectionLost():
    // wait until both were called.
    this.checkForExit();
  }

  checkForExit(): void {
    if (this.pipeClosed && this.exited && !this.exitFuture.done()) this.exitFuture.setResult(true);
  }
}

async function getDate(loop: asyncio.SelectorEventLoop): Promise<string> {
  const code = "import datetime; print(datetime.datetime.now())";
  const exitFuture = loop.createFuture<boolean>();

  // Create the subprocess controlled by the protocol DateProtocol,
  // redirect the standard output into a pipe
  const argv = useDate ? ["date", "+%Y-%m-%d %H:%M:%S.%6N"] : ["python3", "-c", code];
  const [transport, protocol] = await loop.subprocessExec(
    () => new DateProtocol(exitFuture),
    argv[0],
    ...argv.slice(1),
    { stdin: null, stderr: null },
  );

  // Wait for the subprocess exit (processExited()) and the end of its
  // output (pipeConnectionLost())
  await exitFuture;

  // Close the stdout pipe
  transport.close();

  // Read the output which was collected by the pipeDataReceived()
  // method of the protocol
  return new TextDecoder("ascii").decode(Uint8Array.from(protocol.output)).trimEnd();
}

const loop = new asyncio.SelectorEventLoop();
asyncio.setEventLoop(loop);
const date = await loop.runUntilComplete<string>(() => getDate(loop));
console.log(`Current date: ${date}`);
loop.close();
