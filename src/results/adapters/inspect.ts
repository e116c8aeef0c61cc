import { each, isObject, num, str, tagsFrom, type Adapter, type AdapterContext } from '../adapter.js';
import { checkMemory, depthProblem, unreadable } from '../files.js';
import type { RunMeta, Sample } from '../model.js';

type Node = Record<string, unknown>;

/** inspect_ai score values: C(orrect) 1, I(ncorrect) 0, P(artial) 0.5, N(o answer) 0; numbers; booleans. */
export function scoreValue(v: unknown): number | undefined {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : undefined;
  if (typeof v === 'string') {
    const letter = { C: 1, I: 0, P: 0.5, N: 0 }[v.trim().toUpperCase()];
    if (letter !== undefined) return letter;
    const n = Number(v);
    return v.trim() !== '' && Number.isFinite(n) ? n : undefined;
  }
  return undefined;
}

interface Epochs {
  primary: number[];
  named: Map<string, number[]>;
  error?: string;
  tokens: number[];
  latencies: number[];
  tags: string[];
  message?: string;
  epochs: number;
}

/**
 * Reduces several epochs of a sample to one: the mean of each score (inspect's default reducer);
 * pass when the reduced first scorer is above 0.5 (C across most epochs; P alone is not a pass).
 * An epoch that errored does not count as a wrong answer; a sample whose every epoch errored is an
 * infrastructure error.
 */
class EpochReducer {
  private readonly samples = new Map<string, Epochs>();

  add(raw: Node): void {
    const id = String(raw.id ?? '');
    let s = this.samples.get(id);
    if (!s)
      this.samples.set(id, (s = { primary: [], named: new Map(), tokens: [], latencies: [], tags: [], epochs: 0 }));
    s.epochs += 1;
    const error = isObject(raw.error) ? str(raw.error.message) : str(raw.error);
    if (error) {
      // Only the first error is reported: keep it short, and no more of them (a log can hold thousands).
      s.error ??= copyOf(error.slice(0, 2000));
      return;
    }
    const scores = isObject(raw.scores) ? raw.scores : {};
    let first = true;
    for (const [scorer, score] of Object.entries(scores)) {
      if (!isObject(score)) continue;
      const values: [string, number | undefined][] = isObject(score.value)
        ? Object.entries(score.value).map(([k, v]) => [`${scorer}.${k}`, scoreValue(v)])
        : [[scorer, scoreValue(score.value)]];
      for (const [key, v] of values) {
        if (v === undefined) continue;
        if (first) {
          s.primary.push(v);
          if (v <= 0.5 && !s.message)
            s.message = [
              str(score.explanation),
              str(score.answer) !== undefined ? `answer: ${String(score.answer)}` : undefined,
              `target: ${JSON.stringify(raw.target)}`,
            ]
              .filter(Boolean)
              .join(' — ')
              .slice(0, 2000);
          if (s.message) s.message = copyOf(s.message);
          first = false;
        }
        const list = s.named.get(key) ?? [];
        list.push(v);
        s.named.set(key, list);
      }
    }
    const output = isObject(raw.output) ? raw.output : {};
    const usage = isObject(output.usage) ? output.usage : undefined;
    const modelUsage = isObject(raw.model_usage) ? Object.values(raw.model_usage).filter(isObject) : [];
    const tokens =
      num(usage?.total_tokens) ??
      (modelUsage.length ? modelUsage.reduce((a, u) => a + (num(u.total_tokens) ?? 0), 0) : undefined);
    if (tokens !== undefined) s.tokens.push(tokens);
    const seconds = num(raw.total_time) ?? num(raw.working_time);
    if (seconds !== undefined) s.latencies.push(seconds * 1000);
    const meta = isObject(raw.metadata) ? raw.metadata : {};
    s.tags = tagsFrom(s.tags, meta.tag, meta.tags);
  }

  emit(ctx: AdapterContext): void {
    for (const [id, s] of this.samples) {
      const scored = s.primary.length > 0;
      const reduced = scored ? mean(s.primary) : undefined;
      const scores: Record<string, number> = {};
      for (const [k, v] of s.named) scores[k] = mean(v);
      ctx.emit({
        id,
        outcome: !scored ? 'error' : reduced! > 0.5 ? 'pass' : 'fail',
        score: reduced,
        scores,
        tags: s.tags,
        tokens: s.tokens.length ? mean(s.tokens) : undefined,
        latencyMs: s.latencies.length ? mean(s.latencies) : undefined,
        repeat: 0,
        message: !scored
          ? (s.error ?? 'no score was recorded for this sample')
          : reduced! > 0.5
            ? undefined
            : s.message,
      } satisfies Sample);
    }
  }

  get size(): number {
    return this.samples.size;
  }
}

/** A copy that does not keep the string it was sliced from alive (V8 slices share their parent). */
function copyOf(text: string): string {
  return Buffer.from(text, 'utf8').toString('utf8');
}

function mean(v: number[]): number {
  return v.reduce((a, b) => a + b, 0) / v.length;
}

function metaOf(log: Node): RunMeta {
  const spec = isObject(log.eval) ? log.eval : {};
  const dataset = isObject(spec.dataset) ? spec.dataset : {};
  const revision = isObject(spec.revision) ? spec.revision : {};
  const packages = isObject(spec.packages) ? spec.packages : {};
  return {
    tool: `inspect_ai${str(packages.inspect_ai) ? ` ${String(packages.inspect_ai)}` : ''}`,
    model: str(spec.model),
    dataset:
      [
        str(dataset.name) ?? str(spec.task),
        num(dataset.samples) !== undefined ? `${dataset.samples} samples` : undefined,
      ]
        .filter(Boolean)
        .join(', ') || undefined,
    commit: str(revision.commit),
  };
}

/** What the header says about the run as a whole: its status, and aggregates when no sample is there. */
function readHeader(log: Node, reducer: EpochReducer, ctx: AdapterContext): RunMeta {
  const status = str(log.status);
  if (status && status !== 'success') {
    const err = isObject(log.error) ? str(log.error.message) : undefined;
    ctx.runError(`the inspect eval ended with status "${status}"${err ? `: ${err}` : ''}; gate a finished run`);
  }
  // Per-sample reductions stand in for samples when the log holds none (a header-only log).
  const reductions = Array.isArray(log.reductions)
    ? log.reductions
    : isObject(log.results) && Array.isArray(log.results.sample_reductions)
      ? log.results.sample_reductions
      : [];
  if (reducer.size === 0 && reductions.length > 0) {
    const byId = new Map<string, Node>();
    for (const r of reductions.filter(isObject)) {
      const scorer = str(r.scorer) ?? 'score';
      for (const s of (Array.isArray(r.samples) ? r.samples : []).filter(isObject)) {
        const id = String(s.sample_id ?? '');
        const entry = byId.get(id) ?? { id, scores: {} };
        (entry.scores as Node)[scorer] = { value: s.value, answer: s.answer, explanation: s.explanation };
        byId.set(id, entry);
      }
    }
    for (const entry of byId.values()) reducer.add(entry);
  }
  if (reducer.size === 0 && isObject(log.results)) {
    const n = num(log.results.completed_samples) ?? num(log.results.total_samples);
    for (const score of (Array.isArray(log.results.scores) ? log.results.scores : []).filter(isObject)) {
      const metrics = isObject(score.metrics) ? score.metrics : {};
      const stderr = isObject(metrics.stderr) ? num(metrics.stderr.value) : undefined;
      for (const [name, m] of Object.entries(metrics)) {
        if (name === 'stderr' || !isObject(m) || num(m.value) === undefined) continue;
        ctx.aggregate(`${str(score.name) ?? 'score'}.${name}`, {
          value: m.value as number,
          stderr: name === 'accuracy' || name === 'mean' ? stderr : undefined,
          n,
          higherIsBetter: true,
        });
      }
    }
  }
  return metaOf(log);
}

/** inspect_ai EvalLog JSON (`--log-format json`). */
export const inspectJson: Adapter = {
  format: 'inspect',
  detect: ({ json }) =>
    isObject(json) &&
    isObject(json.eval) &&
    'task' in json.eval &&
    ('results' in json || 'samples' in json || 'status' in json),
  streams: [['samples']],
  async read(probe, ctx) {
    const log = probe.json as Node;
    const reducer = new EpochReducer();
    each(probe, log.samples, (s) => isObject(s) && reducer.add(s));
    const meta = readHeader(log, reducer, ctx);
    reducer.emit(ctx);
    return meta;
  },
};

/** inspect_ai's default `.eval` log: a ZIP of `header.json`, `samples/<id>_epoch_<n>.json`, `reductions.json`. */
export const inspectZip: Adapter = {
  format: 'inspect',
  detect: ({ head }) => head.startsWith('PK\u0003\u0004') && /_journal\/|header\.json|samples\//.test(head),
  async read({ file }, ctx) {
    const reducer = new EpochReducer();
    let header: Node | undefined;
    let start: Node | undefined;
    let reductions: unknown;
    const sample = (name: string) => name.startsWith('samples/') && name.endsWith('.json');
    const wanted = (name: string) =>
      name === 'header.json' || name === '_journal/start.json' || name === 'reductions.json' || sample(name);
    // The ZIP reader (and zlib) load only for a .eval log.
    eachZipEntry(await import('../zip.js'), file, ctx, wanted, (name, data) => {
      if (name === 'header.json') header = data as Node;
      else if (name === '_journal/start.json') start = data as Node;
      else if (name === 'reductions.json') reductions = data;
      else if (sample(name) && isObject(data)) reducer.add(data);
    });
    if (!header) {
      ctx.runError('the .eval log has no header.json: the eval did not finish');
      return start ? metaOf(start) : {};
    }
    const meta = readHeader({ ...header, reductions: reductions ?? header.reductions }, reducer, ctx);
    reducer.emit(ctx);
    return meta;
  },
};

/**
 * Each JSON entry of a ZIP that `wanted` names, read one at a time (the archive is never loaded
 * whole), within ZIP_LIMITS: a bomb, a damaged or a truncated archive is a problem named with its
 * entry, never a crash.
 */
function eachZipEntry(
  { ZipError, ZipReader }: typeof import('../zip.js'),
  file: string,
  ctx: AdapterContext,
  wanted: (name: string) => boolean,
  onEntry: (name: string, data: unknown) => void,
): void {
  let zip: InstanceType<typeof ZipReader>;
  try {
    zip = new ZipReader(file);
  } catch (err) {
    throw unreadable(ctx.file, err);
  }
  try {
    let sinceCheck = 0;
    for (const entry of zip.entries()) {
      if (!wanted(entry.name)) continue;
      const bytes = zip.data(entry);
      sinceCheck += bytes.length;
      if (sinceCheck > 16 * 1024 * 1024) {
        checkMemory(ctx.file);
        sinceCheck = 0;
      }
      const text = bytes.toString('utf8');
      const deep = depthProblem(text, ctx.file);
      if (deep) {
        ctx.problem({ path: entry.name, message: deep.message });
        continue;
      }
      let data: unknown;
      try {
        data = JSON.parse(text);
      } catch {
        ctx.problem({ path: entry.name, message: 'is not valid JSON inside the .eval archive' });
        continue;
      }
      onEntry(entry.name, data);
    }
  } catch (err) {
    if (!(err instanceof ZipError)) throw err;
    ctx.problem({
      path: err.entry,
      message: err.entry
        ? `${err.message}; re-run the eval, or write a JSON log (--log-format json)`
        : `not a readable ZIP archive: ${err.message}`,
    });
  } finally {
    zip.close();
  }
}
