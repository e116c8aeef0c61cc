import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { isObject, num, str, tagsFrom, type Adapter } from '../adapter.js';
import { slug } from './deepeval.js';
import { readText } from '../files.js';
import type { RunMeta, Sample } from '../model.js';

type Node = Record<string, unknown>;

/**
 * Does the text open with <testsuite> or <testsuites> (after an XML declaration, comments and
 * whitespace)? A linear scan with indexOf: a regex with nested repetition over comments backtracks
 * exponentially on hostile input ('<!---->' × 40 + 'x' never finished).
 */
export function startsWithTestsuite(head: string): boolean {
  let i = 0;
  const skipSpace = () => {
    while (i < head.length && /\s/.test(head[i]!)) i++;
  };
  skipSpace();
  if (head.startsWith('<?xml', i)) {
    const end = head.indexOf('>', i);
    if (end < 0) return false;
    i = end + 1;
  }
  for (;;) {
    skipSpace();
    if (!head.startsWith('<!--', i)) break;
    const end = head.indexOf('-->', i + 4);
    if (end < 0) return false;
    i = end + 3;
  }
  const tag = head.startsWith('<testsuites', i) ? 11 : head.startsWith('<testsuite', i) ? 10 : 0;
  if (tag === 0) return false;
  const next = head[i + tag];
  return next !== undefined && (next === '>' || /\s/.test(next));
}
const ARRAYS = new Set(['testsuite', 'testcase', 'property', 'failure', 'error', 'skipped']);

/**
 * JUnit XML: pytest (xunit1 and xunit2), promptfoo's JUnit export, and any harness that writes
 * test cases. `<failure>` is a failed case, `<error>` an infrastructure error, `<skipped>` counted
 * apart. Test-case properties named `tag`/`tags` are tags, numeric ones named scores; DeepEval-style
 * `Name (score: x, threshold: y ...)` in failure messages are named scores too.
 */
export const junit: Adapter = {
  format: 'junit',
  detect: ({ head }) => startsWithTestsuite(head),
  async read({ file }, ctx) {
    const xml = await readText(file, ctx.file);
    const valid = XMLValidator.validate(xml);
    if (valid !== true) {
      ctx.problem({
        line: valid.err.line,
        column: valid.err.col,
        message: `not well-formed XML (${valid.err.msg}); re-run the tests or re-export the report`,
      });
      return {};
    }
    const doc = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => ARRAYS.has(name),
      parseAttributeValue: false,
      textNodeName: '#text',
    }).parse(xml) as Node;
    const lines = testcaseLines(xml);
    let index = 0;
    const meta: RunMeta = {};
    const walkSuite = (suite: Node) => {
      const props = properties(suite);
      meta.model ??= props.model;
      meta.dataset ??= props.dataset;
      meta.commit ??= props.git_sha ?? props.commit ?? props.sha;
      for (const tc of asNodes(suite.testcase)) ctx.emit(toSample(tc, lines[index++]));
      for (const child of asNodes(suite.testsuite)) walkSuite(child);
    };
    const root = isObject(doc.testsuites) ? (doc.testsuites as Node) : { testsuite: doc.testsuite };
    meta.tool = str((root as Node).name) === 'promptfoo' ? 'promptfoo (JUnit)' : 'junit';
    walkSuite(root as Node);
    return meta;
  },
};

function toSample(tc: Node, line: number | undefined): Sample {
  const name = str(tc.name) ?? '(unnamed)';
  const classname = str(tc.classname);
  const failure = asNodes(tc.failure)[0];
  const error = asNodes(tc.error)[0];
  const skipped = tc.skipped !== undefined;
  const props = properties(tc);
  const scores: Record<string, number> = {};
  const tags = tagsFrom(props.tag, props.tags);
  for (const [k, v] of Object.entries(props)) {
    const n = Number(v);
    if (k !== 'tag' && k !== 'tags' && v.trim() !== '' && Number.isFinite(n)) scores[k.replace(/^score\./, '')] = n;
  }
  const text = (n: Node | undefined) => (n ? [str(n.message), str(n['#text'])].filter(Boolean).join('\n') : undefined);
  const failureText = text(failure) ?? text(error);
  if (failureText) {
    for (const m of failureText.matchAll(/([A-Za-z][\w .-]*?) \(score: (-?[\d.]+(?:e-?\d+)?), threshold: /g)) {
      const key = slug(m[1]!);
      if (!(key in scores)) scores[key] = Number(m[2]);
    }
    // promptfoo's export writes "Score: 0.66" in the failure text.
    const s = /^Score: (-?[\d.]+)/m.exec(failureText);
    if (s && !('score' in scores)) scores.score = Number(s[1]);
  }
  const time = num(Number(tc.time));
  const { score, ...named } = scores;
  return {
    id: classname ? `${classname}::${name}` : name,
    outcome: error ? 'error' : failure ? 'fail' : skipped ? 'skipped' : 'pass',
    score,
    scores: named,
    tags,
    latencyMs: time !== undefined ? time * 1000 : undefined,
    repeat: 0,
    message: failureText?.slice(0, 2000),
    line,
  };
}

function asNodes(v: unknown): Node[] {
  return (Array.isArray(v) ? v : v === undefined ? [] : [v]).map((x) => (isObject(x) ? x : {}));
}

function properties(n: Node): Record<string, string> {
  const out: Record<string, string> = {};
  const block = asNodes((n.properties as Node | undefined)?.property ?? []);
  for (const p of block) if (str(p.name)) out[String(p.name)] = String(p.value ?? p['#text'] ?? '');
  return out;
}

/** Line of each `<testcase` in document order (comments and CDATA skipped), for annotations. */
function testcaseLines(xml: string): number[] {
  const stripped = xml.replace(/<!--[\s\S]*?-->|<!\[CDATA\[[\s\S]*?\]\]>/g, (m) => m.replace(/[^\n]/g, ' '));
  const out: number[] = [];
  let line = 1;
  let from = 0;
  for (const m of stripped.matchAll(/<testcase[\s>/]/g)) {
    for (let i = stripped.indexOf('\n', from); i !== -1 && i < m.index; i = stripped.indexOf('\n', i + 1)) line += 1;
    from = m.index;
    out.push(line);
  }
  return out;
}
