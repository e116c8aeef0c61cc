import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import * as yaml from 'yaml';
import { nodeLine } from '../src/config/load.js';
import { readSimpleYaml, resolvePlain } from '../src/config/simple-yaml.js';
import { ROOT } from './helpers.js';

/**
 * simple-yaml.ts must read what it accepts exactly as the YAML library does (the value of toJS and
 * the line of every key and item), and accept nothing the library refuses. Checked on every YAML file
 * of the repository, on generated documents in many styles, and on those documents mutated.
 */
function compare(text: string): 'simple' | 'library' {
  const simple = readSimpleYaml(text);
  if (!simple) return 'library';
  const lineCounter = new yaml.LineCounter();
  const doc = yaml.parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) throw new Error(`accepted what the library refuses:\n${text}\n${doc.errors[0]!.message}`);
  const expected: unknown = doc.toJS({ maxAliasCount: 100 });
  if (!isDeepStrictEqual(simple.value, expected))
    throw new Error(
      `read differently:\n${text}\nsimple: ${JSON.stringify(simple.value)}\nlibrary: ${JSON.stringify(expected)}`,
    );
  for (const p of paths(expected))
    for (const probe of [p, [...p, 'zz'], [...p, '7']]) {
      const want = nodeLine(yaml, doc, (o) => lineCounter.linePos(o), probe);
      if (simple.lineOf(probe) !== want)
        throw new Error(`line of ${probe.join('.')}: ${simple.lineOf(probe)} vs ${want}\n${text}`);
    }
  return 'simple';
}

function paths(v: unknown, prefix: string[] = []): string[][] {
  const out = [prefix];
  if (v && typeof v === 'object') for (const [k, child] of Object.entries(v)) out.push(...paths(child, [...prefix, k]));
  return out;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number) {
  let a = seed;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)]!;
  return { next, int, pick };
}

// Words and keys the subset reads, and (ODD_*) some it leaves to the library or that are not YAML.
const WORDS = [
  'a',
  'b c',
  'high',
  '30m',
  'https://x.example/p?q=1',
  '@alice',
  '0.95',
  '1',
  '-3',
  '+7',
  '1e3',
  '2.5E-2',
  '.5',
  '5.',
  '0x1F',
  '0o17',
  '017',
  '0b1',
  'true',
  'False',
  'TRUE',
  'tRue',
  'null',
  'Null',
  '~',
  'yes',
  'on',
  'n',
  '1_000',
  'a#b',
  'a:b',
  'a: b',
  'a :b',
  '.inf',
  '-.Inf',
  '+.INF',
  '.nan',
  '.NaN',
  'nan',
  '',
  '0.0',
  '-0',
  '12:30',
  "it's",
  'say "hi"',
  'x,y',
  '-x',
  'trailing ',
  'a  b',
  'score.faithfulness',
  '1.5e400',
  '9007199254740993',
  'a]',
];
const ODD_WORDS = [
  '[1]',
  '{x}',
  '- x',
  '?x',
  ':x',
  '#x',
  '&a',
  '*a',
  '!t',
  '|',
  '>',
  '%x',
  '@x',
  '`x',
  'a\\b',
  ' leading',
  'é',
  'tab\there',
];
const KEYS = ['a', 'b', 'name', 'min', 'max_drop', 'x.y', '_k', 'k-1', 'on', 'key/x', 'A', 'y', 'x1'];
const ODD_KEYS = ['true', 'null', '__proto__', '1', 'a b', '-k', '"q"'];

type Tree = string | Tree[] | { [k: string]: Tree };

function tree(r: ReturnType<typeof random>, depth: number): Tree {
  const roll = r.next();
  if (depth > 3 || roll < 0.45) return r.pick(r.next() < 0.03 ? ODD_WORDS : WORDS);
  const n = r.int(4) + (r.next() < 0.1 ? 0 : 1);
  if (roll < 0.7) return Array.from({ length: n }, () => tree(r, depth + 1));
  const m: Record<string, Tree> = {};
  for (let i = 0; i < n; i++) m[r.pick(r.next() < 0.03 ? ODD_KEYS : KEYS)] = tree(r, depth + 1);
  return m;
}

function scalar(r: ReturnType<typeof random>, s: string): string {
  const style = r.next();
  if (style < 0.15) return `'${s.replace(/'/g, "''")}'`;
  if (style < 0.25) return `"${s}"`;
  return s;
}

function flowText(r: ReturnType<typeof random>, t: Tree): string {
  const sp = () => (r.next() < 0.8 ? ' ' : r.pick(['', '  ']));
  if (typeof t === 'string') return scalar(r, t);
  if (Array.isArray(t)) return `[${sp()}${t.map((x) => flowText(r, x)).join(`,${sp()}`)}${sp()}]`;
  return `{${sp()}${Object.entries(t)
    .map(([k, v]) => `${k}:${r.next() < 0.95 ? ' ' : ''}${flowText(r, v)}`)
    .join(`,${sp()}`)}${sp()}}`;
}

function comment(r: ReturnType<typeof random>): string {
  const c = r.next();
  return c < 0.1 ? ' # note: x' : c < 0.12 ? '#x' : c < 0.15 ? '   ' : '';
}

/** Block lines of `t` at `indent` (a mapping or sequence; scalars are written inline by the parent). */
function blockLines(r: ReturnType<typeof random>, t: Tree, indent: number, step: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  const value = (v: Tree, at: number, prefix: string, sameIndentSeq: boolean) => {
    if (typeof v === 'string' || r.next() < 0.3 || (typeof v === 'object' && Object.keys(v).length === 0)) {
      out.push(
        `${prefix}${r.next() < 0.05 ? '' : ' '}${typeof v === 'string' ? scalar(r, v) : flowText(r, v)}${comment(r)}`,
      );
    } else {
      out.push(`${prefix}${comment(r)}`);
      if (r.next() < 0.05) out.push(`${' '.repeat(at + step)}# a comment line`);
      if (r.next() < 0.05) out.push('');
      out.push(...blockLines(r, v, Array.isArray(v) && sameIndentSeq && r.next() < 0.3 ? at : at + step, step));
    }
  };
  if (Array.isArray(t)) {
    for (const item of t) {
      if (item && typeof item === 'object' && !Array.isArray(item) && Object.keys(item).length > 0 && r.next() < 0.6) {
        // "- key: value" with the rest of the mapping lined up under the first key
        const inner = blockLines(r, item, indent + 2, step);
        out.push(`${pad}- ${inner[0]!.slice(indent + 2)}`, ...inner.slice(1));
      } else value(item, indent, `${pad}-`, false);
    }
  } else for (const [k, v] of Object.entries(t)) value(v, indent, `${pad}${k}:`, true);
  return out;
}

function document(seed: number): string {
  const r = random(seed);
  const root: Record<string, Tree> = { version: '1' };
  const n = r.int(6) + 1;
  for (let i = 0; i < n; i++) root[r.pick(r.next() < 0.03 ? ODD_KEYS : KEYS)] = tree(r, 1);
  const lines = blockLines(r, root, 0, r.pick([1, 2, 2, 2, 3, 4]));
  if (r.next() < 0.2) lines.unshift('# a config', '');
  return lines.join(r.next() < 0.1 ? '\r\n' : '\n') + (r.next() < 0.8 ? '\n' : '');
}

const SIGNIFICANT = [
  ' ',
  '  ',
  '-',
  '- ',
  ':',
  ': ',
  '#',
  ' #',
  '\n',
  '\n  ',
  '{',
  '}',
  '[',
  ']',
  ',',
  "'",
  '"',
  '\\',
  'a',
  '1',
  '.',
  '&',
  '*',
  '!',
  '|',
  '>',
  '?',
  '~',
  '\t',
  '\r',
  '---',
  '\u00a0',
];

function mutate(text: string, seed: number): string {
  const r = random(seed);
  let out = text;
  for (let k = r.int(3) + 1; k > 0; k--) {
    const at = r.int(out.length + 1);
    const roll = r.next();
    if (roll < 0.4) out = out.slice(0, at) + r.pick(SIGNIFICANT) + out.slice(at);
    else if (roll < 0.7) out = out.slice(0, at) + out.slice(at + 1 + r.int(3));
    else out = out.slice(0, at) + r.pick(SIGNIFICANT) + out.slice(at + 1);
  }
  return out;
}

function yamlFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (name === 'node_modules' || name.startsWith('.git')) return [];
    if (statSync(full).isDirectory()) return yamlFiles(full);
    return /\.ya?ml$/.test(name) ? [full] : [];
  });
}

describe('simple YAML (configs read without the YAML library)', () => {
  it('reads the bundled example, as the library does', () => {
    expect(compare(readFileSync(path.join(ROOT, 'examples/llm-release-gate.yml'), 'utf8'))).toBe('simple');
  });

  it('reads every YAML file of the repository that it accepts as the library does', () => {
    const files = [
      ...yamlFiles(path.join(ROOT, 'examples')),
      ...yamlFiles(path.join(ROOT, '__tests__')),
      ...yamlFiles(path.join(ROOT, 'docs')),
    ];
    expect(files.length).toBeGreaterThan(3);
    for (const f of files) compare(readFileSync(f, 'utf8'));
  });

  it('resolves plain scalars as the core schema does', () => {
    const plain = WORDS.filter((w) => !/[#:'"[\]{},@]|^$|^-x$| $/.test(w));
    expect(plain.length).toBeGreaterThan(30);
    for (const w of plain) expect([w, resolvePlain(w)]).toEqual([w, (yaml.parse(`k: ${w}`) as { k: unknown }).k]);
  });

  it('generated documents: the same value and lines, or left to the library; never accepts what the library refuses', () => {
    let simple = 0;
    let mutatedSimple = 0;
    const N = Number(process.env.SIMPLE_YAML_DOCS ?? 4000);
    for (let seed = 1; seed <= N; seed++) {
      const text = document(seed);
      if (compare(text) === 'simple') simple++;
      for (let m = 0; m < 3; m++) if (compare(mutate(text, seed * 7 + m)) === 'simple') mutatedSimple++;
    }
    // Most generated documents are in the subset (so the comparisons above are not vacuous).
    expect(simple).toBeGreaterThan(N * 0.3);
    expect(mutatedSimple).toBeGreaterThan(N * 0.1);
  });

  it('reads the edges of the subset as the library does', () => {
    const cases = [
      'a: x #y\n',
      "a: 'x' #y\n",
      'a: x#y\n',
      'a: [a:b]\n',
      'a: {u: http://x}\n',
      'a: [http://x, y]\n',
      'a: 1 \n',
      'a:\n  b: 1\n# c\n  c: 2\n',
      'a:  \n  b: 1\n',
      'a: [ ]\nb: {}\nc: []\n',
      'a: \'\'\nb: ""\n',
      'a: \'#\'\nb: "a # b"\n',
      'a: x :y\n',
      'a: "x" \nb: \'x\'  # c\n',
      'a: [a, \'b\', "c", {d: e}]\n',
      'a: {b: [1, 2], c: {d: 3}}\n',
      'a: { b: c d }\n',
      'a: [-1, +2, -.5]\n',
      'a:    value\n',
      'a:',
      'a:  b\n\n\n c: d\n',
      'a: b\n  \nc:\n  \n  d: 1\n',
      'a:\n- x\n- y\nb: 1\n',
      '- a\n',
      'a:\n  - b: 1\n    c: 2\n  - d\n',
      'a:\n  -\n    b: 1\n',
      'a:\n  - b:\n    - c\n',
      "a: it's\n",
      'a: x,y]\n',
      "a: 'it''s'\n",
      'a: [a, [b, [c]]]\n',
      'a: 1\r\nb:\r\n  - 2\r\n',
      'a: null\nb: ~\nc:\nd: Null\n',
      'a: 0o17\nb: 0x1F\nc: 017\n',
    ];
    const read = cases.filter((t) => compare(t) === 'simple');
    expect(read.length).toBeGreaterThan(cases.length * 0.7);
  });

  it('leaves the rest to the library', () => {
    for (const text of [
      '',
      '# only a comment\n',
      '- a\n',
      '  a: 1\n',
      '---\na: 1\n',
      '%YAML 1.2\n---\na: 1\n',
      'a: &x 1\nb: *x\n',
      'a: !!str 1\n',
      'a: |\n  text\n',
      'a: >\n  text\n',
      'a: b\n  c\n',
      'a:\n  b\n',
      'a: 1\na: 2\n',
      'a: "x\\ty"\n',
      "a: 'x\n  y'\n",
      'a: [1,\n  2]\n',
      'a:\t1\n',
      'a: 1\n b: 2\n',
      'a:\n  - x\n  b: 1\n',
      '"a": 1\n',
      'a b: 1\n',
      'true: 1\n',
      '__proto__: 1\n',
      'a: { b }\n',
      'a: [1, ]\n',
      'a: café\n',
      '\ufeffa: 1\n',
      'a:\n-\n',
      `a: ${'['.repeat(100)}${']'.repeat(100)}\n`,
      'a: 1 # c\n  b: 2\n',
      'a: {b: 1}x\n',
      'a: b: c\n',
      'a: - b\n',
      '? a\n: b\n',
      'a: 1\n...\n',
    ])
      expect([text, readSimpleYaml(text)]).toEqual([text, undefined]);
  });
});
