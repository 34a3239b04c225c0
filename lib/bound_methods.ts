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
  let own = registry.get(proto);
  if (own === undefined) registry.set(proto, own = new Map());
  for (const key of names) {
    const method = (proto as Record<string, unknown>)[key];
    if (typeof method !== "function") continue;
    own.set(key, qualnames[key] ?? null);
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
 * The methods each prototype binds on read ({@link bindOnRead}), with the
 * Python names given for them (null: `<class name>.<key>`).
 */
const registry = new Map<object, Map<string, string | null>>();

/**
 * @internal Records methods that `proto` binds on read by a means of its
 * own (futures.ts), so that {@link bindOverrides} binds their overrides too.
 */
export function registerBound(proto: object, qualnames: Readonly<Record<string, string>>): void {
  let own = registry.get(proto);
  if (own === undefined) registry.set(proto, own = new Map());
  for (const [key, qualname] of Object.entries(qualnames)) own.set(key, qualname);
}

/** Marks a prototype whose own methods {@link bindOverrides} has looked at. */
const CHECKED = Symbol("boundOverridesChecked");

/**
 * @internal Binds on read, as their base's methods are, the overrides that
 * a subclass of the library's classes defines of them (a user's
 * `LoudEvent extends Event` with its own `set()`): its own method would
 * shadow the base's getter and be read unbound, so that
 * `loop.callLater(1, ev.set)` would call it with no `this`, where
 * Python's bound method calls the override on `ev`. Called by the base's
 * constructor; each class is looked at once, on its first instance. The
 * override shows by its class's name (`<Handle LoudEvent.set()>`).
 *
 * @example
 * ```ts
 * class Base { constructor() { bindOverrides(this); } go() {} }
 * bindOnRead(Base.prototype, ["go"]);
 * class Sub extends Base { override go() {} }
 * const s = new Sub();
 * loop.callSoon(s.go); // Sub's go(), on s
 * ```
 */
export function bindOverrides(self: object): void {
  const proto = Object.getPrototypeOf(self) as object | null;
  if (proto === null || Object.hasOwn(proto, CHECKED) || registry.has(proto)) return;
  // The subclasses' prototypes, up to the first that binds methods itself
  // or was looked at already (never Object.prototype: nothing is marked
  // there); then every method bound above them.
  const subs: object[] = [];
  let p: object | null = proto;
  while (
    p !== null && p !== Object.prototype && !Object.hasOwn(p, CHECKED) && !registry.has(p)
  ) {
    subs.push(p);
    p = Object.getPrototypeOf(p);
  }
  const names = new Map<string, string | null>();
  for (; p !== null; p = Object.getPrototypeOf(p)) {
    for (const [key, qualname] of registry.get(p) ?? []) {
      if (!names.has(key)) names.set(key, qualname);
    }
  }
  // From the base down, so that a class's registration is there before
  // its subclass is looked at.
  for (const sub of subs.reverse()) {
    const cls = (sub as { constructor: { name: string } }).constructor.name;
    for (const [key, qualname] of names) {
      if (typeof Object.getOwnPropertyDescriptor(sub, key)?.value !== "function") continue;
      const pyName = qualname === null ? key : qualname.slice(qualname.lastIndexOf(".") + 1);
      bindOnRead(sub, [key], { [key]: `${cls}.${pyName}` });
    }
    Object.defineProperty(sub, CHECKED, { value: true });
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
