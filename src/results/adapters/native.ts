import { isObject, jsonLines, type Adapter, type AdapterContext } from '../adapter.js';
import { MAX_MAGNITUDE, type Outcome, type RunMeta, type Sample } from '../model.js';

/**
 * The documented native JSONL: one sample per line, every field but `id` optional, an optional
 * first line `{"meta": {...}}`. Streamed line by line.
 */
export const native: Adapter = {
  format: 'native',
  detect: ({ firstLine }) =>
    isObject(firstLine) &&
    ((isObject(firstLine.meta) && Object.keys(firstLine).length === 1) ||
      ('id' in firstLine &&
        ('pass' in firstLine || 'error' in firstLine || 'score' in firstLine || 'skipped' in firstLine) &&
        !('sample_id' in firstLine) &&
        !('doc_id' in firstLine))),
  async read({ file }, ctx) {
    let meta: RunMeta = {};
    let first = true;
    for await (const batch of jsonLines(file, ctx, 'each line must be one JSON object')) {
      for (const { value, line } of batch) {
        if (first && isObject(value) && isObject(value.meta)) {
          meta = readMeta(value.meta, line, ctx);
          first = false;
          continue;
        }
        first = false;
        const sample = toSample(value, line, ctx);
        if (sample) ctx.emit(sample);
      }
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
    if (typeof v !== 'string')
      ctx.problem({ line, path: `meta.${k}`, message: `expected a string, found ${JSON.stringify(v)}` });
    else meta[k] = v;
  }
  return meta;
}

type Check = (v: unknown) => boolean;
const isNum: Check = (v) => typeof v === 'number' && Number.isFinite(v) && Math.abs(v) <= MAX_MAGNITUDE;
const isNonNeg: Check = (v) => isNum(v) && (v as number) >= 0;
const FIELDS: [string, Check, string][] = [
  ['pass', (v) => typeof v === 'boolean', 'true or false'],
  ['score', isNum, 'a number within ±1e15'],
  ['latency_ms', isNonNeg, 'a number of milliseconds, from 0 to 1e15'],
  ['cost_usd', isNonNeg, 'a cost in USD, from 0 to 1e15'],
  ['tokens', isNonNeg, 'a token count, from 0 to 1e15'],
  ['trace_id', (v) => typeof v === 'string', 'a string'],
  ['repeat', (v) => Number.isInteger(v) && (v as number) >= 0, 'a whole number, 0 or more'],
  ['skipped', (v) => typeof v === 'boolean', 'true or false'],
];

/** The common case, checked without allocating: every field of the right type and an outcome. */
function wellFormed(v: Record<string, unknown>): boolean {
  const id = v.id;
  if (!((typeof id === 'string' && id.length > 0) || typeof id === 'number')) return false;
  for (let i = 0; i < FIELDS.length; i++) {
    const [key, check] = FIELDS[i]!;
    const x = v[key];
    if (x !== undefined && x !== null && !check(x)) return false;
  }
  const scores = v.scores;
  if (scores !== undefined && scores !== null) {
    if (!isObject(scores)) return false;
    for (const k in scores) if (scores[k] !== null && !isNum(scores[k])) return false;
  }
  const tags = v.tags;
  if (tags !== undefined && tags !== null) {
    if (!Array.isArray(tags)) return false;
    for (let i = 0; i < tags.length; i++) if (typeof tags[i] !== 'string') return false;
  }
  return (v.error !== undefined && v.error !== null) || typeof v.pass === 'boolean' || v.skipped === true;
}

/** Every problem of one line, each with its key and what it should be. */
function problems(v: Record<string, unknown>): { path: string; message: string }[] {
  const out: { path: string; message: string }[] = [];
  const bad = (path: string, value: unknown, expected: string) =>
    out.push({
      path,
      message: `${path} should be ${expected}, found ${JSON.stringify(value)?.slice(0, 60) ?? 'nothing'}`,
    });
  const id = v.id;
  if (!((typeof id === 'string' && id.length > 0) || typeof id === 'number'))
    bad('id', id, 'a non-empty string that names the case the same way in every run');
  for (const [key, check, expected] of FIELDS)
    if (v[key] !== undefined && v[key] !== null && !check(v[key])) bad(key, v[key], expected);
  if (v.scores !== undefined && v.scores !== null) {
    if (!isObject(v.scores)) bad('scores', v.scores, 'an object of named numbers, e.g. {"faithfulness": 0.9}');
    else
      for (const [k, s] of Object.entries(v.scores))
        if (s !== null && !isNum(s)) bad(`scores.${k}`, s, 'a number within ±1e15 (or null: not measured)');
  }
  if (v.tags !== undefined && v.tags !== null && !(Array.isArray(v.tags) && v.tags.every((t) => typeof t === 'string')))
    bad('tags', v.tags, 'a list of strings');
  const hasError = v.error !== undefined && v.error !== null;
  if (out.length === 0 && !hasError && typeof v.pass !== 'boolean' && v.skipped !== true) {
    out.push({
      path: 'pass',
      message:
        'the sample has no outcome: add "pass": true or false (or a non-null "error" for an infrastructure failure)',
    });
  }
  return out;
}

function toSample(v: unknown, line: number, ctx: AdapterContext): Sample | undefined {
  if (!isObject(v)) {
    ctx.problem({ line, message: `not a JSON object: each line is one sample such as {"id": "case-1", "pass": true}` });
    return undefined;
  }
  if (!wellFormed(v)) {
    for (const p of problems(v)) ctx.problem({ line, ...p });
    return undefined;
  }
  const error =
    v.error === undefined || v.error === null
      ? undefined
      : typeof v.error === 'string'
        ? v.error
        : JSON.stringify(v.error);
  const outcome: Outcome =
    error !== undefined ? 'error' : v.skipped === true ? 'skipped' : v.pass === true ? 'pass' : 'fail';
  return {
    id: String(v.id),
    outcome,
    score: (v.score as number | null) ?? undefined,
    scores: v.scores ? withoutNulls(v.scores as Record<string, number | null>) : {},
    tags: (v.tags as string[] | null) ?? [],
    latencyMs: (v.latency_ms as number | null) ?? undefined,
    costUsd: (v.cost_usd as number | null) ?? undefined,
    tokens: (v.tokens as number | null) ?? undefined,
    traceId: (v.trace_id as string | null) ?? undefined,
    repeat: (v.repeat as number | null) ?? 0,
    message: error ?? (typeof v.reason === 'string' ? v.reason : undefined),
    line,
  };
}

/** Null is absent: a named score of null was not measured. */
function withoutNulls(scores: Record<string, number | null>): Record<string, number> {
  const out: Record<string, number> = {};
  for (const k in scores) {
    const v = scores[k];
    if (typeof v === 'number') out[k] = v;
  }
  return out;
}
