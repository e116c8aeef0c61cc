import { isObject, type Adapter, type AdapterContext } from './adapter.js';
import { readLines } from './files.js';
import type { Outcome, RunMeta, Sample } from './model.js';

/**
 * The documented native JSONL: one sample per line, every field but `id` optional, an optional
 * first line `{"meta": {...}}`. Streamed line by line.
 */
export const native: Adapter = {
  format: 'native',
  detect: ({ firstLine }) =>
    isObject(firstLine) &&
    ((isObject(firstLine.meta) && Object.keys(firstLine).length === 1) ||
      (('id' in firstLine) && ('pass' in firstLine || 'error' in firstLine || 'score' in firstLine) && !('sample_id' in firstLine) && !('doc_id' in firstLine))),
  async read({ file }, ctx) {
    let meta: RunMeta = {};
    let first = true;
    for await (const { text, line } of readLines(file)) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch {
        ctx.problem({ line, message: `not valid JSON${first ? '' : ' (if this is the last line, the file was cut off)'}: each line must be one JSON object` });
        first = false;
        continue;
      }
      if (first && isObject(value) && isObject(value.meta)) {
        meta = readMeta(value.meta, line, ctx);
        first = false;
        continue;
      }
      first = false;
      const sample = toSample(value, line, ctx);
      if (sample) ctx.emit(sample);
    }
    return meta;
  },
};

const META_KEYS = ['tool', 'model', 'dataset', 'commit'] as const;

function readMeta(m: Record<string, unknown>, line: number, ctx: AdapterContext): RunMeta {
  const meta: RunMeta = {};
  for (const k of META_KEYS) {
    const v = m[k];
    if (v === undefined || v === null) continue;
    if (typeof v !== 'string') ctx.problem({ line, path: `meta.${k}`, message: `expected a string, found ${JSON.stringify(v)}` });
    else meta[k] = v;
  }
  return meta;
}

type Check = (v: unknown) => boolean;
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v);
const isNonNeg: Check = (v) => isNum(v) && (v as number) >= 0;
const FIELDS: Record<string, [Check, string]> = {
  pass: [(v) => typeof v === 'boolean', 'true or false'],
  score: [isNum, 'a number'],
  latency_ms: [isNonNeg, 'a number of milliseconds, 0 or more'],
  cost_usd: [isNonNeg, 'a cost in USD, 0 or more'],
  tokens: [isNonNeg, 'a token count, 0 or more'],
  trace_id: [(v) => typeof v === 'string', 'a string'],
  repeat: [(v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number, 0 or more'],
  skipped: [(v) => typeof v === 'boolean', 'true or false'],
};

function toSample(v: unknown, line: number, ctx: AdapterContext): Sample | undefined {
  if (!isObject(v)) {
    ctx.problem({ line, message: `not a JSON object: each line is one sample such as {"id": "case-1", "pass": true}` });
    return undefined;
  }
  const id = typeof v.id === 'number' ? String(v.id) : v.id;
  let ok = true;
  const bad = (path: string, expected: string) => {
    ok = false;
    ctx.problem({ line, path, message: `${path} should be ${expected}, found ${JSON.stringify(v[path.split('.')[0]!])?.slice(0, 60) ?? 'nothing'}` });
  };
  if (typeof id !== 'string' || id.length === 0) bad('id', 'a non-empty string that names the case the same way in every run');
  for (const [key, [check, expected]] of Object.entries(FIELDS)) {
    if (v[key] !== undefined && v[key] !== null && !check(v[key])) bad(key, expected);
  }
  const scores: Record<string, number> = {};
  if (v.scores !== undefined && v.scores !== null) {
    if (!isObject(v.scores)) bad('scores', 'an object of named numbers, e.g. {"faithfulness": 0.9}');
    else {
      for (const [k, s] of Object.entries(v.scores)) {
        if (isNum(s)) scores[k] = s as number;
        else bad(`scores.${k}`, 'a number');
      }
    }
  }
  let tags: string[] = [];
  if (v.tags !== undefined && v.tags !== null) {
    if (!Array.isArray(v.tags) || !v.tags.every((t) => typeof t === 'string')) bad('tags', 'a list of strings');
    else tags = v.tags as string[];
  }
  const error = v.error === undefined || v.error === null ? undefined : typeof v.error === 'string' ? v.error : JSON.stringify(v.error);
  if (ok && error === undefined && typeof v.pass !== 'boolean' && v.skipped !== true) {
    ok = false;
    ctx.problem({ line, path: 'pass', message: `the sample has no outcome: add "pass": true or false (or a non-null "error" for an infrastructure failure)` });
  }
  if (!ok) return undefined;
  const outcome: Outcome = error !== undefined ? 'error' : v.skipped === true ? 'skipped' : v.pass === true ? 'pass' : 'fail';
  return {
    id: id as string,
    outcome,
    score: v.score as number | undefined ?? undefined,
    scores,
    tags,
    latencyMs: (v.latency_ms as number | null) ?? undefined,
    costUsd: (v.cost_usd as number | null) ?? undefined,
    tokens: (v.tokens as number | null) ?? undefined,
    traceId: (v.trace_id as string | null) ?? undefined,
    repeat: (v.repeat as number | null) ?? 0,
    message: error ?? (typeof v.reason === 'string' ? v.reason : undefined),
    line,
  };
}
