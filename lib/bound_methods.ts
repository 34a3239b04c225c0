/**
 * Methods bound to their object when read as values, as Python's bound
 * methods are, so that a method passed alone as a callback ports as is:
 * `loop.callSoon(wsock.send, data)`, `loop.callLater(5, transport.close)`,
 * `loop.callSoon(lock.release)`.
 *
 * Internal: shared by the classes whose methods Python code passes around.
 *
 * @module
 */

/** The mark `coroutines.ts` gives coroutine functions (`iscoroutinefunction`). */
const COROUTINE_FUNCTION = Symbol.for("asyncio.coroutineFunction");

/**
 * @internal Makes the methods `names` of `proto` bound to their object when
 * read as values. Each is bound on first read and kept on the object;
 * assigning one (a test's stand-in) makes it the object's own; read from a
 * prototype (`Socket.prototype.close`) it is the method itself. A bound
 * method shows in a Handle's repr and in errors by Python's qualified name:
 * `qualnames[name]` when given, else `<class name>.<name>`
 * (`<Handle StreamWriter.write(b'x')>`).
 *
 * @example
 * ```ts
 * bindOnRead(Socket.prototype, ["send", "close"], { send: "socket.send", close: "socket.close" });
 * loop.callSoon(sock.close); // closes sock
 * ```
 */
export function bindOnRead(
  proto: object,
  names: readonly string[],
  qualnames: Readonly<Record<string, string>> = {},
): void {
  for (const key of names) {
    const method = (proto as Record<string, unknown>)[key];
    if (typeof method !== "function") continue;
    const field = Symbol(key);
    Object.defineProperty(proto, key, {
      configurable: true,
      get(this: Record<symbol, unknown>) {
        const cached = this[field];
        if (cached !== undefined) return cached;
        // Read from a prototype: the method itself. Bound and kept there,
        // every instance would inherit that copy.
        if (Object.hasOwn(this, "constructor")) return method;
        const fn = method.bind(this) as typeof method & { __qualname__: string };
        // Assigned, not defined (ten times cheaper on a bound function). The
        // class name is read late: classes are renamed after they are made.
        fn.__qualname__ = qualnames[key] ??
          `${(proto as { constructor: { name: string } }).constructor.name}.${key}`;
        // A bound method is a coroutine function when its method is, as
        // Python's are (`iscoroutinefunction(q.get)`): the mark that
        // `coroutine_functions.ts` set on the method, which `bind` drops.
        const mark = (method as unknown as Record<symbol, unknown>)[COROUTINE_FUNCTION];
        if (mark !== undefined) Object.defineProperty(fn, COROUTINE_FUNCTION, { value: mark });
        return this[field] = fn;
      },
      set(this: object, value: unknown) {
        Object.defineProperty(this, key, { value, writable: true, configurable: true });
      },
    });
  }
}

/**
 * @internal {@link bindOnRead} for one method, named `qualname`.
 *
 * @example
 * ```ts
 * bindMethodOnRead(Server.prototype, "close", "Server.close");
 * ```
 */
export function bindMethodOnRead(proto: object, key: string, qualname: string): void {
  bindOnRead(proto, [key], { [key]: qualname });
}
