/**
 * The program tests/compile.test.ts builds with `bun build --compile` and
 * runs as a standalone binary. Its last line of output must be `compiled ok`.
 */
import "../mod.ts";

console.log("compiled ok");
