/**
 * The plain subset of YAML most readiness configs are written in, read without the YAML library
 * (whose loading and first parse cost a cold start ~25 ms, a sixth of the gate's run on the bundled
 * example). The subset: block mappings with plain keys, block sequences (items that are scalars,
 * one-line flow collections or compact mappings), one-line flow collections `{ a: b }` and `[a, b]`,
 * plain, single-quoted and escape-free double-quoted scalars resolved as the YAML library's core
 * schema resolves them, and comments, in printable ASCII. Anything else (anchors, tags, block
 * scalars, multi-line scalars or flows, escapes, tabs, duplicate or non-string keys, odd indentation,
 * a document that is not a mapping) makes `readSimpleYaml` answer undefined, and the caller parses
 * the text with the YAML library, which also writes every error message. What this reads, it reads
 * as the library does (the value of `toJS()` and the line of every key and item: tests compare
 * both on generated documents).
 */

/** Where a key or list item sits: its 1-based line, and its children's. */
interface Located {
  line: number;
  keys?: Map<string, Located>;
  items?: Located[];
}

export interface SimpleYaml {
  value: Record<string, unknown>;
  /** As load.ts's nodeLine: the line of the deepest node along `path` that exists. */
  lineOf(path: readonly string[]): number | undefined;
}

/** Outside the subset: the caller uses the YAML library. */
class Unsupported extends Error {}
const unsupported = (): never => {
  throw new Unsupported();
};

interface Line {
  no: number;
  indent: number;
  text: string;
}

// (The YAML library allows an implicit key 1024 characters at most; these stop well before.)
const KEY = /^([A-Za-z_][\w./-]{0,127}):(?: +|$)/;
const FLOW_KEY = /^([A-Za-z_][\w./-]{0,127}): +/;
// Deeper nesting is left to the library (the recursion here stays far from the stack's limit).
const MAX_DEPTH = 64;
// Keys the core schema resolves to null or a boolean (a mapping key of the YAML library's toJS would
// be their string form), and the one a plain object cannot hold as data.
const ODD_KEYS = new Set(['null', 'Null', 'NULL', 'true', 'True', 'TRUE', 'false', 'False', 'FALSE', '__proto__']);
// A plain scalar may not start with an indicator (or "-", "?", ":" followed by a space).
const INDICATOR = /^(?:[,[\]{}#&*!|>'"%@`?:]|-(?=[ ,[\]{}]|$))/;

export function readSimpleYaml(text: string): SimpleYaml | undefined {
  const source = text.replace(/\r\n/g, '\n');
  if (!/^[\x20-\x7e\n]*$/.test(source)) return undefined;
  const lines: Line[] = [];
  source.split('\n').forEach((text, i) => {
    const indent = text.search(/[^ ]/);
    if (indent !== -1 && text[indent] !== '#') lines.push({ no: i + 1, indent, text });
  });
  if (lines.length === 0 || lines[0]!.indent !== 0 || isItem(lines[0]!)) return undefined;
  if (/^(?:---|\.\.\.)(?: |$)|^%/.test(lines[0]!.text)) return undefined;
  try {
    const reader = new Reader(lines);
    const root = reader.mapping(0);
    if (reader.at < lines.length) return undefined;
    return { value: root.value as Record<string, unknown>, lineOf: (path) => lineAlong(root.located, path) };
  } catch (err) {
    if (err instanceof Unsupported) return undefined;
    throw err;
  }
}

function lineAlong(root: Located, path: readonly string[]): number {
  let node = root;
  let line = root.line;
  for (const key of path) {
    const next = node.keys ? node.keys.get(key) : node.items?.[Number(key)];
    if (!next) break;
    line = next.line;
    node = next;
  }
  return line;
}

const isItem = (l: Line) =>
  l.text[l.indent] === '-' && (l.text.length === l.indent + 1 || l.text[l.indent + 1] === ' ');

interface Node {
  value: unknown;
  located: Located;
}

class Reader {
  at = 0;
  constructor(private readonly lines: Line[]) {}

  private block(indent: number): Node {
    if (indent > MAX_DEPTH * 8) unsupported();
    return isItem(this.lines[this.at]!) ? this.sequence(indent) : this.mapping(indent);
  }

  /** The block value after "key:" or "-" ending its line: null when nothing is nested under it. */
  private nested(parentIndent: number, sequenceAtSameIndent: boolean, line: number): Node {
    const next = this.lines[this.at];
    if (next && next.indent > parentIndent) return this.block(next.indent);
    if (next && sequenceAtSameIndent && next.indent === parentIndent && isItem(next))
      return this.sequence(parentIndent);
    return sequenceAtSameIndent ? { value: null, located: { line } } : unsupported();
  }

  /** No deeper line may follow (a value continued on the next lines, or indentation no block opened). */
  private ended(indent: number): void {
    const next = this.lines[this.at];
    if (next && next.indent > indent) unsupported();
  }

  mapping(indent: number): Node {
    const value: Record<string, unknown> = {};
    const keys = new Map<string, Located>();
    const first = this.lines[this.at]!.no;
    for (let l = this.lines[this.at]; l && l.indent === indent; l = this.lines[this.at]) {
      const m = KEY.exec(l.text.slice(indent)) ?? unsupported();
      const key = m[1]!;
      if (ODD_KEYS.has(key) || keys.has(key)) unsupported();
      const rest = indent + m[0].length;
      this.at++;
      let node: Node;
      if (rest === l.text.length || l.text[rest] === '#') node = this.nested(indent, true, l.no);
      else {
        node = inline(l, rest);
        this.ended(indent);
      }
      value[key] = node.value;
      keys.set(key, { ...node.located, line: l.no });
    }
    this.ended(indent);
    return { value, located: { line: first, keys } };
  }

  private sequence(indent: number): Node {
    const value: unknown[] = [];
    const items: Located[] = [];
    const first = this.lines[this.at]!.no;
    for (let l = this.lines[this.at]; l && l.indent === indent && isItem(l); l = this.lines[this.at]) {
      let start = indent + 1;
      while (l.text[start] === ' ') start++;
      let node: Node;
      if (start === l.text.length || l.text[start] === '#') {
        this.at++;
        node = this.nested(indent, false, l.no);
      } else if (KEY.test(l.text.slice(start))) {
        // "- key: value": a mapping whose keys line up at the column of the first one.
        this.lines[this.at] = { ...l, indent: start };
        node = this.mapping(start);
      } else {
        this.at++;
        node = inline(l, start);
        this.ended(indent);
      }
      value.push(node.value);
      items.push(node.located);
    }
    this.ended(indent);
    return { value, located: { line: first, items } };
  }
}

/** A value that starts at `start` on line `l` and ends on it (a comment may follow). */
function inline(l: Line, start: number): Node {
  const r = scalarOrFlow(l, start, 0);
  const rest = l.text.slice(r.end);
  if (rest !== '' && !/^ +(?:#|$)/.test(rest)) unsupported();
  return r.node;
}

/** A scalar or flow collection at `start`; `flowDepth` > 0 inside a flow collection. */
function scalarOrFlow(l: Line, start: number, flowDepth: number): { node: Node; end: number } {
  const s = l.text;
  const c = s[start];
  const inFlow = flowDepth > 0;
  if (c === '{' || c === '[') return flow(l, start, flowDepth + 1);
  if (c === "'") {
    let i = start + 1;
    let out = '';
    for (;;) {
      const q = s.indexOf("'", i);
      if (q === -1) unsupported();
      out += s.slice(i, q);
      if (s[q + 1] !== "'") return { node: { value: out, located: { line: l.no } }, end: q + 1 };
      out += "'";
      i = q + 2;
    }
  }
  if (c === '"') {
    const q = s.indexOf('"', start + 1);
    if (q === -1 || s.slice(start + 1, q).includes('\\')) unsupported();
    return { node: { value: s.slice(start + 1, q), located: { line: l.no } }, end: q + 1 };
  }
  if (INDICATOR.test(s.slice(start))) unsupported();
  // A plain scalar: to a comment (" #") or the line's end; in a flow, to a "," or closing bracket.
  let end = start;
  for (; end < s.length; end++) {
    const ch = s[end]!;
    if (ch === ' ' && s[end + 1] === '#') break;
    if (inFlow && (ch === ',' || ch === ']' || ch === '}')) break;
    if (inFlow && (ch === '[' || ch === '{')) unsupported();
  }
  const plain = s.slice(start, end).trimEnd();
  if (/: |:$/.test(plain)) unsupported();
  return { node: { value: resolvePlain(plain), located: { line: l.no } }, end: start + plain.length };
}

/** `{ key: value, ... }` or `[value, ...]`, closed on the line it opens. */
function flow(l: Line, start: number, depth: number): { node: Node; end: number } {
  if (depth > MAX_DEPTH) unsupported();
  const s = l.text;
  const isMap = s[start] === '{';
  const close = isMap ? '}' : ']';
  const value: Record<string, unknown> | unknown[] = isMap ? {} : [];
  const keys = new Map<string, Located>();
  const items: Located[] = [];
  let i = start + 1;
  const skip = () => {
    while (s[i] === ' ') i++;
  };
  skip();
  if (s[i] === close) i++;
  else
    for (;;) {
      let key: string | undefined;
      if (isMap) {
        const m = FLOW_KEY.exec(s.slice(i)) ?? unsupported();
        key = m[1]!;
        if (ODD_KEYS.has(key) || keys.has(key)) unsupported();
        i += m[0].length;
      }
      const r = scalarOrFlow(l, i, depth);
      if (key === undefined) {
        (value as unknown[]).push(r.node.value);
        items.push(r.node.located);
      } else {
        (value as Record<string, unknown>)[key] = r.node.value;
        keys.set(key, { ...r.node.located, line: l.no });
      }
      i = r.end;
      skip();
      if (s[i] === close) {
        i++;
        break;
      }
      if (s[i] !== ',') unsupported();
      i++;
      skip();
      if (s[i] === close || s[i] === ',') unsupported();
    }
  return { node: { value, located: isMap ? { line: l.no, keys } : { line: l.no, items } }, end: i };
}

/** A plain scalar's value under the core schema (YAML 1.2), tag by tag in the YAML library's order. */
export function resolvePlain(s: string): unknown {
  if (/^(?:~|[Nn]ull|NULL)?$/.test(s)) return null;
  if (/^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/.test(s)) return s[0] === 't' || s[0] === 'T';
  if (/^0o[0-7]+$/.test(s)) return parseInt(s.substring(2), 8);
  if (/^[-+]?[0-9]+$/.test(s)) return parseInt(s, 10);
  if (/^0x[0-9a-fA-F]+$/.test(s)) return parseInt(s.substring(2), 16);
  if (/^(?:[-+]?\.(?:inf|Inf|INF)|\.nan|\.NaN|\.NAN)$/.test(s))
    return s.slice(-3).toLowerCase() === 'nan' ? NaN : s[0] === '-' ? -Infinity : Infinity;
  if (/^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+$/.test(s) || /^[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)$/.test(s))
    return parseFloat(s);
  return s;
}
