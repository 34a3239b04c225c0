// The shim's file calls behind sendfile: fstat (type and size), lseek
// (64-bit offsets), sendfile(2) with its offset passed by value.
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "./harness.ts";
import { assert, assertEquals } from "./assert.ts";
import { C, ERRNO, sys } from "../ffi/mod.ts";

function withFile(data: Uint8Array, fn: (fd: number) => void): void {
  const dir = mkdtempSync(join(tmpdir(), "asyncio-ffi-files-"));
  const path = join(dir, "f.bin");
  writeFileSync(path, data);
  const fd = openSync(path, "r");
  try {
    fn(fd);
  } finally {
    closeSync(fd);
    rmSync(dir, { recursive: true, force: true });
  }
}

const bytes = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

test("fstat: a regular file's size, a pipe's type, -EBADF for a closed fd", () => {
  withFile(bytes(12345), (fd) => {
    const st = sys().fstat(fd);
    assert(typeof st !== "number", `fstat: ${st}`);
    assertEquals(st.mode & C.S_IFMT, C.S_IFREG);
    assertEquals(st.size, 12345);
  });
  const p = sys().pipe2(C.O_CLOEXEC) as [number, number];
  try {
    const st = sys().fstat(p[0]);
    assert(typeof st !== "number");
    assertEquals(st.mode & C.S_IFMT, C.S_IFIFO);
  } finally {
    sys().close(p[0]);
    sys().close(p[1]);
  }
  assertEquals(sys().fstat(p[0]), -ERRNO.EBADF);
});

test("lseek: SEEK_SET/CUR/END, an offset past 4 GiB, -ESPIPE on a pipe", () => {
  withFile(bytes(1000), (fd) => {
    const s = sys();
    assertEquals(s.lseek(fd, 0, C.SEEK_CUR), 0);
    assertEquals(s.lseek(fd, 0, C.SEEK_END), 1000);
    assertEquals(s.lseek(fd, 10, C.SEEK_SET), 10);
    assertEquals(s.lseek(fd, 5, C.SEEK_CUR), 15);
    assertEquals(s.lseek(fd, 5_000_000_000, C.SEEK_SET), 5_000_000_000);
    assertEquals(s.lseek(fd, 0, C.SEEK_CUR), 5_000_000_000);
    assertEquals(s.lseek(fd, -1, C.SEEK_SET), -ERRNO.EINVAL);
  });
  const p = sys().pipe2(C.O_CLOEXEC) as [number, number];
  try {
    assertEquals(sys().lseek(p[0], 0, C.SEEK_SET), -ERRNO.ESPIPE);
  } finally {
    sys().close(p[0]);
    sys().close(p[1]);
  }
});

test("sendfile: from an offset without moving the position; EOF, past 4 GiB and bad fds", () => {
  const data = bytes(100_000);
  withFile(data, (fd) => {
    const s = sys();
    const pair = s.socketpair(C.AF_UNIX, C.SOCK_STREAM | C.SOCK_CLOEXEC, 0) as [number, number];
    try {
      s.lseek(fd, 77, C.SEEK_SET);
      assertEquals(s.sendfile(pair[0], fd, 99_990, 100), 10);
      const got = new Uint8Array(100);
      assertEquals(s.read(pair[1], got), 10);
      assertEquals([...got.subarray(0, 10)], [...data.subarray(99_990)]);
      assertEquals(s.lseek(fd, 0, C.SEEK_CUR), 77, "the position is left alone");
      assertEquals(s.sendfile(pair[0], fd, 100_000, 10), 0);
      assertEquals(s.sendfile(pair[0], fd, 5_000_000_000, 10), 0);
      // sendfile(2) cannot read a socket at an offset.
      const r = s.sendfile(pair[0], pair[1], 0, 10);
      assert(r === -ERRNO.ESPIPE || r === -ERRNO.EINVAL, `sendfile from a socket: ${r}`);
      assert(s.sendfile(pair[0], 1 << 20, 0, 10) === -ERRNO.EBADF);
    } finally {
      s.close(pair[0]);
      s.close(pair[1]);
    }
  });
});
