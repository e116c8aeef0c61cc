import type * as Yaml from 'yaml';
import type { Document, Node } from 'yaml';
import { ConfigurationError, type Problem } from '../errors.js';
import { ConfigSchema, configJsonSchema, type Config } from './schema.js';
import type { Issue } from './shape.js';
import { readSimpleYaml } from './simple-yaml.js';

/** A validated config plus where each key sits in the file (for annotations and errors). */
export interface LoadedConfig {
  config: Config;
  file: string;
  /** 1-based line of a dotted key path (`evals.metrics.0`), or of its nearest existing parent. */
  lineOf(path: string): number | undefined;
}

type Path = readonly PropertyKey[];

/** Parse and validate a config text. Throws ConfigurationError listing every problem at once. */
export async function parseConfig(text: string, file: string): Promise<LoadedConfig> {
  return simpleConfig(text, file) ?? parseWithLibrary(await yamlLibrary(), text, file);
}

/** The YAML library, loaded (CommonJS: its exports are the default export of a bundle's chunk). */
async function yamlLibrary(): Promise<typeof Yaml> {
  const imported = (await import('yaml')) as typeof Yaml & { default?: typeof Yaml };
  return imported.default ?? imported;
}

/**
 * The config when its text is in the plain subset of YAML (simple-yaml.ts) and passes the schema; else
 * undefined, and the YAML library reads it (loaded only then: it costs a cold start ~25 ms), which
 * also writes every error message.
 */
export function simpleConfig(text: string, file: string): LoadedConfig | undefined {
  const simple = readSimpleYaml(text);
  const parsed = simple && ConfigSchema.safeParse(simple.value);
  if (!simple || !parsed?.success) return undefined;
  return { config: parsed.data, file, lineOf: (path) => simple.lineOf(path.split('.').filter(Boolean)) };
}

/** Parse and validate a config text with the YAML library. */
export function parseWithLibrary(yaml: typeof Yaml, text: string, file: string): LoadedConfig {
  const { LineCounter, parseDocument } = yaml;
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const lineAt = (offset: number) => lineCounter.linePos(offset);

  if (doc.errors.length > 0) {
    const problems = doc.errors.map((e): Problem => {
      const pos = lineAt(e.pos[0]);
      return { file, line: pos.line, column: pos.col, message: `${yamlMessage(e.message)}. Fix the YAML syntax here.` };
    });
    throw new ConfigurationError(`The config ${file} is not valid YAML.`, problems);
  }

  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // A YAML alias bomb (aliases of aliases, billions of nodes) is refused, not expanded.
    throw new ConfigurationError(`The config ${file} is too complex.`, [
      {
        file,
        line: 1,
        message: `it expands too far through YAML aliases (${err instanceof Error ? err.message : String(err)}); write the values out instead of nesting aliases`,
      },
    ]);
  }
  if (data === null || data === undefined || typeof data !== 'object' || Array.isArray(data)) {
    throw new ConfigurationError(`The config ${file} is empty or not a mapping.`, [
      {
        file,
        line: 1,
        message: `found ${describe(data)}; expected a YAML mapping that starts with "version: 1" (see the README for a complete example)`,
      },
    ]);
  }

  const lineOf = (path: string): number | undefined => nodeLine(yaml, doc, lineAt, path.split('.').filter(Boolean));
  const parsed = ConfigSchema.safeParse(data);
  if (!parsed.success) {
    const problems = parsed.error.issues.flatMap((issue) => toProblems(yaml, issue, doc, data, file, lineAt));
    throw new ConfigurationError(
      `The config ${file} has ${problems.length} problem${problems.length === 1 ? '' : 's'}; the gate blocks until it is fixed.`,
      problems,
    );
  }
  return { config: parsed.data, file, lineOf };
}

function toProblems(
  yaml: typeof Yaml,
  issue: Issue,
  doc: Document,
  data: unknown,
  file: string,
  lineAt: (o: number) => { line: number; col: number },
): Problem[] {
  const path = issue.path as Path;
  const found = valueAt(data, path);
  const dotted = path.map(String).join('.');
  let message: string;
  switch (issue.code) {
    case 'unrecognized_keys': {
      // One problem per key, each at its own line, with the nearest known key when one is close.
      const known = knownKeysAt(path);
      return issue.keys.map((key) => {
        const full = dotted ? `${dotted}.${key}` : key;
        const near = nearest(key, known);
        return {
          file,
          path: full,
          line: nodeLine(yaml, doc, lineAt, [...path, key].map(String)),
          message: `unknown key "${full}"${near ? `: did you mean "${near}"?` : ''} (every key is in docs/config.md, the config reference${known.length ? `; here: ${known.join(', ')}` : ''})`,
        };
      });
    }
    case 'invalid_type':
      message =
        found === undefined
          ? // A schema-written message says what to add for this key (e.g. "flagd-file needs path: …").
            issue.message && !issue.message.startsWith('Invalid input')
            ? issue.message
            : `is required but missing: add ${expectedWord(issue.expected)}`
          : `expected ${expectedWord(issue.expected)}, found ${describe(found)}`;
      break;
    case 'invalid_value': {
      const allowed = issue.values.map((v) => JSON.stringify(v)).join(', ');
      message =
        found === undefined
          ? `is required but missing: add it (${allowed})`
          : `found ${describe(found)}; expected one of ${allowed}`;
      break;
    }
    case 'too_small':
      message =
        issue.origin === 'array'
          ? `needs at least ${String(issue.minimum)} entr${issue.minimum === 1 ? 'y' : 'ies'}, found ${describe(found)}`
          : issue.origin === 'string'
            ? `must not be empty`
            : `found ${describe(found)}; expected ${issue.inclusive ? 'at least' : 'more than'} ${String(issue.minimum)}`;
      break;
    case 'too_big':
      message = `found ${describe(found)}; expected ${issue.inclusive ? 'at most' : 'less than'} ${String(issue.maximum)}`;
      break;
    case 'invalid_union':
      message = `found ${describe(found)}; expected ${unionHint(dotted)}`;
      break;
    case 'invalid_format':
      message = `found ${describe(found)}; expected a valid ${issue.format}`;
      break;
    default:
      // Refinement messages that start with "is ..." read as a sentence about the value found.
      message = issue.message.startsWith('is ') ? `${describe(found)} ${issue.message}` : issue.message;
  }
  if (issue.code === 'invalid_type' && issue.expected === 'int')
    message = `found ${describe(found)}; expected a whole number`;
  return [{ file, path: dotted || undefined, line: nodeLine(yaml, doc, lineAt, path.map(String)), message }];
}

type SchemaNode = {
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  anyOf?: SchemaNode[];
  oneOf?: SchemaNode[];
};
let jsonSchema: SchemaNode | undefined;

/** The keys the schema accepts at a path of the config (union branches merged; list indices skipped). */
function knownKeysAt(path: Path): string[] {
  jsonSchema ??= configJsonSchema() as SchemaNode;
  let nodes: SchemaNode[] = [jsonSchema];
  const expand = (ns: SchemaNode[]): SchemaNode[] => ns.flatMap((n) => [n, ...expand(n.anyOf ?? n.oneOf ?? [])]);
  for (const part of path) {
    nodes = expand(nodes).flatMap((n) =>
      typeof part === 'number'
        ? n.items
          ? [n.items]
          : []
        : n.properties?.[String(part)]
          ? [n.properties[String(part)]!]
          : [],
    );
  }
  return [...new Set(expand(nodes).flatMap((n) => Object.keys(n.properties ?? {})))].filter((k) => k !== '$schema');
}

/** The known key within two edits of `key`, if one is. */
function nearest(key: string, known: string[]): string | undefined {
  let best: { k: string; d: number } | undefined;
  for (const k of known) {
    const d = editDistance(key.toLowerCase(), k.toLowerCase());
    if (d <= 2 && (!best || d < best.d)) best = { k, d };
  }
  return best?.k;
}

function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++)
      row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function unionHint(path: string): string {
  if (path.endsWith('results')) return 'a path or glob, or a list of them';
  if (path.endsWith('baseline')) return 'a path, or { ref: <branch or sha>, path: <results file> }';
  if (path === 'rollout.flag.provider') return 'one of "flagd-file", "unleash", "launchdarkly", "webhook"';
  if (path === 'rollout.analysis.source.provider') return 'one of "file", "http", "prometheus"';
  return 'one of the accepted forms (see docs/config.md, the config reference)';
}

function expectedWord(expected: string): string {
  switch (expected) {
    case 'object':
      return 'a mapping (key: value lines)';
    case 'array':
      return 'a list';
    case 'int':
      return 'a whole number';
    default:
      return `a ${expected}`;
  }
}

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  if (v === null) return 'an empty value';
  if (Array.isArray(v)) return `a list of ${v.length}`;
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text ${JSON.stringify(v.length > 60 ? `${v.slice(0, 57)}...` : v)}`;
  return `${typeof v} ${String(v)}`;
}

function valueAt(data: unknown, path: Path): unknown {
  let cur: unknown = data;
  for (const key of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<PropertyKey, unknown>)[key as string];
  }
  return cur;
}

/** Line of the deepest node along `path` that exists (the key itself for map entries). */
export function nodeLine(
  { isMap, isSeq }: typeof Yaml,
  doc: Document,
  lineAt: (o: number) => { line: number },
  path: readonly string[],
): number | undefined {
  let node: unknown = doc.contents;
  let line: number | undefined = rangeLine(node, lineAt);
  for (const key of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => String((p.key as { value?: unknown } | null)?.value ?? p.key) === key);
      if (!pair) break;
      line = rangeLine(pair.key, lineAt) ?? line;
      node = pair.value;
    } else if (isSeq(node)) {
      const item = node.items[Number(key)];
      if (item === undefined) break;
      line = rangeLine(item, lineAt) ?? line;
      node = item;
    } else break;
  }
  return line;
}

function rangeLine(node: unknown, lineAt: (o: number) => { line: number }): number | undefined {
  const range = (node as Node | null)?.range;
  return range ? lineAt(range[0]).line : undefined;
}

function yamlMessage(msg: string): string {
  return msg.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '');
}
