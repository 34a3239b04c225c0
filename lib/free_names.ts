/**
 * Which names a function's source text uses from outside itself, roughly:
 * so that a function bound to its module's scope (a helper, a constant, an
 * import) runs on the main thread from the start, instead of first running
 * in a Worker up to the `ReferenceError` and printing there what it prints
 * again on the main thread.
 *
 * A light scan, not a parser: comments, strings and the text of template
 * literals are blanked, then identifiers are compared with the names the
 * function declares (parameters, `let`/`const`/`var`, functions, classes,
 * `catch` bindings, assigned names), the language's keywords and the
 * globals. It errs both ways only mildly: a name it wrongly thinks outside
 * makes the function run on the main thread (still correct, only not in
 * parallel); one it misses leaves the Worker's `ReferenceError` fallback.
 *
 * @module
 */

const KEYWORDS = new Set(
  ("break case catch class const continue debugger default delete do else export extends " +
    "false finally for function if import in instanceof let new null return super switch " +
    "this throw true try typeof var void while with yield async await of get set static " +
    "arguments undefined NaN Infinity globalThis target meta constructor " +
    // tsc's rewriteRelativeImportExtensions turns `import(x)` into a call of
    // this helper, which the Worker defines (see executor_worker.ts).
    "__rewriteRelativeImportExtension")
    .split(" "),
);

const IDENT = /[A-Za-z_$][\w$]*/g;

/** `src` with comments, string contents and template text blanked (expressions kept). */
function blank(src: string): string {
  let out = "";
  let i = 0;
  // Brace depth of each `${` opened inside a template, innermost last.
  const templates: number[] = [];
  let depth = 0;
  const n = src.length;
  const template = () => {
    // In template text, up to the closing backtick or a `${`.
    while (i < n) {
      const c = src[i];
      if (c === "\\") {
        i += 2;
      } else if (c === "`") {
        i++;
        out += '""';
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        i += 2;
        out += '"" + (';
        templates.push(depth);
        depth++;
        return;
      } else i++;
    }
  };
  while (i < n) {
    const c = src[i];
    const next = src[i + 1];
    if (c === "/" && next === "/") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "/" && next === "*") {
      const end = src.indexOf("*/", i + 2);
      i = end < 0 ? n : end + 2;
      out += " ";
    } else if (c === "/" && startsRegExp(out)) {
      // A regular expression literal: to its closing slash (not one in a class), then its flags.
      i++;
      let inClass = false;
      while (i < n && src[i] !== "\n") {
        const d = src[i];
        if (d === "\\") i++;
        else if (d === "[") inClass = true;
        else if (d === "]") inClass = false;
        else if (d === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && /[a-z]/.test(src[i])) i++;
      out += '""';
    } else if (c === "'" || c === '"') {
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") i += src[i] === "\\" ? 2 : 1;
      i++;
      out += '""';
    } else if (c === "`") {
      i++;
      template();
    } else if (c === "{") {
      depth++;
      out += c;
      i++;
    } else if (c === "}") {
      depth--;
      i++;
      if (templates.length && templates[templates.length - 1] === depth) {
        templates.pop();
        out += ") + ";
        template();
      } else out += c;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

/** Whether a `/` after `out` starts a regular expression rather than dividing. */
function startsRegExp(out: string): boolean {
  const t = out.trimEnd();
  if (t === "" || /[(,=:[!&|?{};+\-*%<>~^]$/.test(t)) return true;
  return /\b(?:return|typeof|case|in|of|void|yield|await|delete|throw|new)$/.test(t);
}

/** The identifiers in `text` (a parameter list, a destructuring pattern). */
function identsIn(text: string, into: Set<string>): void {
  for (const m of text.matchAll(IDENT)) into.add(m[0]);
}

/**
 * The names `src` (a function's source text) seems to use from outside
 * itself that are not globals here, in order of first use.
 *
 * @example
 * ```ts
 * outerNames("(n) => helper(n) + Math.max(n, LIMIT)"); // ["helper", "LIMIT"]
 * ```
 */
export function outerNames(src: string): string[] {
  const code = blank(src);
  const declared = new Set<string>();
  const patterns: RegExp[] = [
    /\b(?:let|const|var)\s+([A-Za-z_$][\w$]*)/g,
    /\b(?:function\s*\*?|class)\s*([A-Za-z_$][\w$]*)/g,
    /\b([A-Za-z_$][\w$]*)\s*=(?![=>])/g,
    /\b([A-Za-z_$][\w$]*)\s*=>/g,
    // A method's name (`{ m() {} }`, `get a() {}`); `if (x) {` and the like are keywords anyway.
    /\b([A-Za-z_$][\w$]*)\s*\([^()]*\)\s*\{/g,
  ];
  for (const re of patterns) for (const m of code.matchAll(re)) declared.add(m[1]);
  const lists: RegExp[] = [
    /\b(?:let|const|var)\s*([{[][^=;]*?[}\]])\s*(?:=|of\b|in\b)/g, // destructuring
    /\(([^()]*)\)\s*=>/g, // arrow parameters
    /([A-Za-z_$][\w$]*)?\s*\(([^()]*)\)\s*\{/g, // function and method parameters
    /\bcatch\s*\(([^()]*)\)/g,
  ];
  for (const re of lists) {
    for (const m of code.matchAll(re)) identsIn(m[m.length - 1] ?? "", declared);
  }
  const found: string[] = [];
  const seen = new Set<string>();
  for (const m of code.matchAll(IDENT)) {
    const name = m[0];
    const at = m.index ?? 0;
    // Inside a longer word (`1e5`, `x2`): not an identifier of its own.
    if (/[\w$]/.test(code[at - 1] ?? "")) continue;
    const before = code.slice(Math.max(0, at - 3), at).trimEnd();
    // A property (`a.b`, `a?.b`), not a spread (`...b`).
    if (before.endsWith(".") && !before.endsWith("...")) continue;
    // A label (`continue outer`).
    if (/\b(?:break|continue)\s+$/.test(code.slice(Math.max(0, at - 12), at))) continue;
    // An object literal's key (`{ b: 1 }`, `, b: 1`) or a label (`; outer: for`).
    const after = code.slice(at + name.length).match(/^\s*(:?)/)?.[1];
    const prev = code.slice(0, at).trimEnd().slice(-1);
    if (after === ":" && "{,;}".includes(prev)) continue;
    if (KEYWORDS.has(name) || declared.has(name) || seen.has(name)) continue;
    seen.add(name);
    if (name in globalThis) continue;
    found.push(name);
  }
  return found;
}

/** Methods that change the array, Map, Set or typed array they are called on. */
const MUTATORS = "push|pop|shift|unshift|splice|sort|reverse|fill|copyWithin|set|add|delete|clear";
/** A member chain after a name: `.a`, `?.a`, `[i]`, any number of them. */
const CHAIN = String.raw`(?:\s*(?:\?\.|\.)\s*[\w$]+|\s*(?:\?\.)?\[[^\]]*\])`;

/**
 * The positions of the parameters that `src` (a function's source text)
 * seems to change in place: `xs.push(v)`, `counts[k] = n`, `o.a.b += 1`,
 * `delete o.k`, `Object.assign(o, ...)`. A light scan like
 * {@link outerNames}: a destructured parameter counts as unchanged, and a
 * change made through another name (`const l = xs; l.push(1)`) is missed.
 *
 * @example
 * ```ts
 * changedParams("(results, i) => { results.push(i * i); }"); // Set {0}
 * changedParams("(xs) => xs.reduce((a, b) => a + b, 0)"); // Set {}
 * ```
 */
export function changedParams(src: string): Set<number> {
  const code = blank(src);
  const changed = new Set<number>();
  // The parameter list: `name => ...`, or the first parenthesized one.
  const single = /^\s*(?:async\s+)?([A-Za-z_$][\w$]*)\s*=>/.exec(code);
  let params: string[];
  if (single !== null) params = [single[1]];
  else {
    const open = code.indexOf("(");
    if (open === -1) return changed;
    let depth = 0;
    let close = -1;
    for (let i = open; i < code.length && close === -1; i++) {
      if ("([{".includes(code[i])) depth++;
      else if (")]}".includes(code[i]) && --depth === 0) close = i;
    }
    if (close === -1) return changed;
    // Top-level commas only: a default (`a = [1, 2]`) or a pattern holds its own.
    params = [];
    let cur = "";
    depth = 0;
    for (const c of code.slice(open + 1, close)) {
      if ("([{".includes(c)) depth++;
      else if (")]}".includes(c)) depth--;
      if (c === "," && depth === 0) {
        params.push(cur);
        cur = "";
      } else cur += c;
    }
    params.push(cur);
  }
  params.forEach((p, i) => {
    const name = /^\s*(?:\.\.\.\s*)?([A-Za-z_$][\w$]*)/.exec(p)?.[1];
    if (name === undefined) return;
    const n = `(?<![\\w$.])${name.replace(/\$/g, "\\$")}`;
    const changes = [
      `${n}${CHAIN}*\\s*(?:\\?\\.|\\.)\\s*(?:${MUTATORS})\\s*\\(`,
      `${n}${CHAIN}+\\s*(?:[-+*/%&|^]|\\*\\*|<<|>>>?|&&|\\|\\||\\?\\?)?=(?![=>])`,
      `${n}${CHAIN}+\\s*(?:\\+\\+|--)`,
      `(?:\\+\\+|--)\\s*${n}${CHAIN}+`,
      `\\bdelete\\s+${n}${CHAIN}+`,
      `\\bObject\\.assign\\s*\\(\\s*${n}\\b`,
    ];
    if (new RegExp(changes.join("|")).test(code)) changed.add(i);
  });
  return changed;
}
