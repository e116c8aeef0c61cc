import { num, str, tagsFrom, type Adapter } from '../adapter.js';
import { slug } from './deepeval.js';
import { readText } from '../files.js';
import type { RunMeta, Sample } from '../model.js';
import { scanXml, XmlError } from '../xml.js';

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
  return next !== undefined && (next === '>' || next === '/' || /\s/.test(next));
}
interface Case {
  attrs: Record<string, string>;
  line: number;
  props: Record<string, string>;
  failure?: string[];
  error?: string[];
  skipped: boolean;
}

/**
 * JUnit XML: pytest (xunit1 and xunit2), promptfoo's JUnit export, and any harness that writes
 * test cases. `<failure>` is a failed case, `<error>` an infrastructure error, `<skipped>` counted
 * apart. Test-case properties named `tag`/`tags` are tags, numeric ones named scores; DeepEval-style
 * `Name (score: x, threshold: y ...)` in failure messages are named scores too. Read in one linear
 * pass (src/results/xml.ts), in document order.
 */
export const junit: Adapter = {
  format: 'junit',
  detect: ({ head }) => startsWithTestsuite(head),
  async read({ file }, ctx) {
    const xml = await readText(file, ctx.file);
    const meta: RunMeta = {};
    const path: string[] = [];
    let tc: Case | undefined;
    let suiteProps: Record<string, string> | undefined;
    let property: { name?: string; value?: string; text: string } | undefined;
    let texts: string[] | undefined;
    try {
      scanXml(xml, {
        open(name, attrs, line) {
          const parent = path[path.length - 1];
          path.push(name);
          if (parent === undefined) {
            if (name !== 'testsuites' && name !== 'testsuite')
              throw new XmlError(`the root element is <${name}>, not <testsuites> or <testsuite>`, line, 1);
            meta.tool = name === 'testsuites' && attrs.name === 'promptfoo' ? 'promptfoo (JUnit)' : 'junit';
          }
          if (name === 'testcase' && (parent === 'testsuite' || parent === 'testsuites'))
            tc = { attrs, line, props: {}, skipped: false };
          else if (name === 'properties' && (parent === 'testsuite' || parent === 'testsuites') && !tc) suiteProps = {};
          else if (name === 'property' && parent === 'properties')
            property = { name: str(attrs.name), value: attrs.value, text: '' };
          else if (tc && parent === 'testcase') {
            if (name === 'failure' || name === 'error') {
              if (!tc.failure && !tc.error) {
                texts = [attrs.message ?? ''];
                tc[name] = texts;
              }
            } else if (name === 'skipped') tc.skipped = true;
          }
        },
        text(value) {
          if (property) property.text += value;
          else if (texts && (path[path.length - 1] === 'failure' || path[path.length - 1] === 'error'))
            texts.push(value);
        },
        close(name) {
          path.pop();
          if (name === 'property' && property) {
            const target = tc?.props ?? suiteProps;
            if (target && property.name) target[property.name] = property.value ?? property.text;
            property = undefined;
          } else if (name === 'properties' && suiteProps && !tc) {
            meta.model ??= suiteProps.model;
            meta.dataset ??= suiteProps.dataset;
            meta.commit ??= suiteProps.git_sha ?? suiteProps.commit ?? suiteProps.sha;
            suiteProps = undefined;
          } else if ((name === 'failure' || name === 'error') && texts) texts = undefined;
          else if (name === 'testcase' && tc && path[path.length - 1] !== 'testcase') {
            ctx.emit(toSample(tc));
            tc = undefined;
          }
        },
      });
    } catch (err) {
      if (!(err instanceof XmlError)) throw err;
      ctx.problem({
        line: err.line,
        column: err.column,
        message: `not well-formed XML (${err.message}); re-run the tests or re-export the report`,
      });
      return {};
    }
    return meta;
  },
};

/** Named scores in DeepEval-style failure text: "Answer Relevancy (score: 0.5, threshold: 0.7, ...)". */
export function scoresInText(text: string, into: Record<string, number>): void {
  const marker = ' (score: ';
  const scanned = text.slice(0, 64 * 1024);
  for (let at = scanned.indexOf(marker); at !== -1; at = scanned.indexOf(marker, at + marker.length)) {
    // The name: the run of word characters, spaces, dots and dashes before the marker (at most 200),
    // from its first letter.
    let from = at;
    while (from > 0 && at - from < 200 && /[\w .-]/.test(scanned[from - 1]!)) from--;
    while (from < at && !/[A-Za-z]/.test(scanned[from]!)) from++;
    const value = /^(-?[\d.]+(?:e-?\d+)?), threshold: /.exec(
      scanned.slice(at + marker.length, at + marker.length + 60),
    );
    if (from === at || !value) continue;
    const key = slug(scanned.slice(from, at));
    if (!(key in into)) into[key] = Number(value[1]);
  }
}

function toSample(tc: Case): Sample {
  const name = str(tc.attrs.name) ?? '(unnamed)';
  const classname = str(tc.attrs.classname);
  const scores: Record<string, number> = {};
  const tags = tagsFrom(tc.props.tag, tc.props.tags);
  for (const [k, v] of Object.entries(tc.props)) {
    const n = Number(v);
    if (k !== 'tag' && k !== 'tags' && v.trim() !== '' && Number.isFinite(n)) scores[k.replace(/^score\./, '')] = n;
  }
  const [message, ...body] = tc.failure ?? tc.error ?? [];
  const failureText = [message, body.join('').trim()].filter(Boolean).join('\n') || undefined;
  if (failureText) {
    scoresInText(failureText, scores);
    // promptfoo's export writes "Score: 0.66" in the failure text.
    const s = /^Score: (-?[\d.]+)/m.exec(failureText.slice(0, 64 * 1024));
    if (s && !('score' in scores)) scores.score = Number(s[1]);
  }
  const time = num(Number(tc.attrs.time));
  const { score, ...named } = scores;
  return {
    id: classname ? `${classname}::${name}` : name,
    outcome: tc.error ? 'error' : tc.failure ? 'fail' : tc.skipped ? 'skipped' : 'pass',
    score,
    scores: named,
    tags,
    latencyMs: time !== undefined ? time * 1000 : undefined,
    repeat: 0,
    message: failureText?.slice(0, 2000),
    line: tc.line,
  };
}
