import { configJsonSchema, SCHEMA_URL } from './schema.js';

type Node = {
  type?: string | string[];
  description?: string;
  default?: unknown;
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, Node>;
  items?: Node;
  anyOf?: Node[];
  oneOf?: Node[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
};

interface Row {
  key: string;
  type: string;
  default: string;
  example: string;
  meaning: string;
}

/** Examples for keys the bundled example config does not set (by key path, lists as `[]`). */
const EXAMPLES: Record<string, unknown> = {
  $schema: SCHEMA_URL,
  'evals.baseline.ref': 'main',
  'evals.baseline.path': 'evals/out/results.json',
  'evals.baseline_required': true,
  'evals.require_commit': true,
  'evals.statistics.threshold_on': 'estimate',
  'evals.metrics[].max': 2500,
  'evals.metrics[].max_increase': 300,
  'evals.metrics[].blocking': false,
  'evals.slices[].metrics[].max': 0.05,
  'evals.slices[].metrics[].max_drop': 0.02,
  'evals.slices[].metrics[].max_increase': 0.01,
  'evals.slices[].metrics[].blocking': false,
  'deploy.model_pinned': true,
  'deploy.model_pinned_reason': 'Google stable model ids never change',
  'observability.require_trace_ids': true,
  'guardrails.checks[].max': 0.01,
  'guardrails.checks[].max_drop': 0.01,
  'guardrails.checks[].max_increase': 0.01,
  'guardrails.checks[].blocking': false,
  'rollout.flag.url': 'https://unleash.example.com/api',
  'rollout.flag.project': 'default',
  'rollout.flag.environment': 'production',
  'rollout.flag.token_env': 'UNLEASH_TOKEN',
  'rollout.stages[].min_samples': 200,
  'rollout.stages[].approval': true,
  'rollout.analysis.source.url': 'http://prometheus:9090',
  'rollout.analysis.source.token_env': 'METRICS_TOKEN',
  'rollout.analysis.source.requests.canary': 'sum(increase(llm_requests_total{variant="canary"}[1h]))',
  'rollout.analysis.source.requests.control': 'sum(increase(llm_requests_total{variant="control"}[1h]))',
  'rollout.analysis.source.freshness': 'max(timestamp(llm_requests_total))',
  'rollout.analysis.source.max_age': '10m',
  'rollout.analysis.metrics[].max_drop': 0.02,
  'rollout.analysis.metrics[].min': 0.9,
  'rollout.analysis.metrics[].max': 0.012,
  'rollout.analysis.metrics[].query.canary':
    'sum(rate(llm_errors_total{variant="canary"}[1h])) / sum(rate(llm_requests_total{variant="canary"}[1h]))',
  'rollout.analysis.metrics[].query.control':
    'sum(rate(llm_errors_total{variant="control"}[1h])) / sum(rate(llm_requests_total{variant="control"}[1h]))',
  'rollout.analysis.metrics[].sd_query.canary': 'stddev_over_time(llm_latency_ms{variant="canary"}[1h])',
  'rollout.analysis.metrics[].sd_query.control': 'stddev_over_time(llm_latency_ms{variant="control"}[1h])',
  'rollout.state_file': '.llm-release-gate/rollout-state.json',
};

/** Descriptions of keys that only exist so that switching provider needs no other edit. */
const UNUSED = /^Not used by this provider/;

/** The branches of a union (anyOf/oneOf), or the node itself. */
function branches(n: Node): Node[] {
  return n.anyOf ?? n.oneOf ?? [n];
}

function typeOf(n: Node): string {
  const parts = branches(n).map((b) => {
    if (b.const !== undefined) return `\`${String(b.const)}\``;
    if (b.enum) return b.enum.map((v) => `\`${String(v)}\``).join(' \\| ');
    if (b.type === 'array') return `list of ${b.items ? typeOf(b.items).replace(/^list of /, '') : 'values'}`;
    const t = Array.isArray(b.type) ? b.type.join(' or ') : (b.type ?? (b.properties ? 'object' : 'any'));
    // Integer types carry ±MAX_SAFE_INTEGER bounds in JSON Schema: not worth saying.
    const real = (v: number | undefined) => (v !== undefined && Math.abs(v) < Number.MAX_SAFE_INTEGER ? v : undefined);
    const bounds = [
      real(b.minimum) !== undefined
        ? `≥ ${b.minimum}`
        : real(b.exclusiveMinimum) !== undefined
          ? `> ${b.exclusiveMinimum}`
          : '',
      real(b.maximum) !== undefined
        ? `≤ ${b.maximum}`
        : real(b.exclusiveMaximum) !== undefined
          ? `< ${b.exclusiveMaximum}`
          : '',
    ].filter(Boolean);
    return `${t}${bounds.length ? ` (${bounds.join(', ')})` : ''}`;
  });
  return [...new Set(parts)].join(' or ');
}

/** Object properties of a node, merged across union branches (a provider's keys with the others'). */
function propertiesOf(n: Node): [string, Node][] {
  const out = new Map<string, Node>();
  for (const b of branches(n)) {
    const own = b.properties ?? (b.items ? undefined : undefined);
    for (const [k, v] of Object.entries(own ?? {})) {
      const seen = out.get(k);
      const useful = v.description !== undefined && !UNUSED.test(v.description);
      if (!seen) out.set(k, v);
      else if (useful && (seen.description === undefined || UNUSED.test(seen.description))) out.set(k, v);
      else if (useful && k !== 'provider' && !seen.description!.includes(v.description!))
        out.set(k, { ...seen, description: `${seen.description} ${v.description}` });
      else if (k === 'provider' && v.const !== undefined) {
        // The discriminator: every provider's value in one enum.
        const values = [...(seen.enum ?? (seen.const !== undefined ? [seen.const] : [])), v.const];
        out.set(k, {
          ...seen,
          const: undefined,
          enum: values,
          description: `${seen.description ?? ''} ${v.description ?? ''}`.trim(),
        });
      }
    }
  }
  return [...out];
}

function show(v: unknown): string {
  if (v === undefined) return '';
  const text = typeof v === 'string' ? v : JSON.stringify(v);
  const cut = text.length > 70 ? `${text.slice(0, 69)}…` : text;
  return `\`${cut.replace(/\|/g, '\\|')}\``;
}

/** The value at a dotted key path of the example config (lists: their first element). */
function lookup(example: unknown, path: string[]): unknown {
  let v = example;
  for (const part of path) {
    const list = part.endsWith('[]');
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string, unknown>)[list ? part.slice(0, -2) : part];
    if (list) v = Array.isArray(v) ? v[0] : undefined;
  }
  // Scalars and lists of scalars make examples; objects are shown key by key.
  const scalar = (x: unknown) => x === null || typeof x !== 'object';
  return scalar(v) || (Array.isArray(v) && v.every(scalar)) ? v : undefined;
}

function rows(n: Node, path: string[], example: unknown, out: Row[]): void {
  for (const [key, child] of propertiesOf(n)) {
    if (child.description !== undefined && UNUSED.test(child.description)) continue;
    const full = [...path, key];
    const objectish = branches(child).some((b) => b.properties);
    const list = branches(child).find(
      (b) => b.type === 'array' && b.items && branches(b.items).some((i) => i.properties),
    );
    const value = lookup(example, full);
    out.push({
      key: `\`${full.join('.')}\``,
      type: typeOf(child),
      default: child.default !== undefined && !objectish ? show(child.default) : '',
      example: show(value ?? EXAMPLES[full.join('.')]),
      meaning: (child.description ?? '').replace(/\|/g, '\\|').replace(/</g, '&lt;').replace(/>/g, '&gt;'),
    });
    if (objectish) rows(child, full, example, out);
    if (list) rows(list.items!, [...full.slice(0, -1), `${key}[]`], example, out);
  }
}

/**
 * docs/config.md: every key of the config with its type, default, an example (from the bundled
 * example config when it sets the key) and its meaning, generated from the schema's JSON Schema.
 */
export function renderConfigReference(example: unknown): string {
  const schema = configJsonSchema() as Node;
  const table = (title: string, intro: string, out: Row[]) =>
    [
      `## ${title}`,
      '',
      intro,
      '',
      '| key | type | default | example | meaning |',
      '|---|---|---|---|---|',
      ...out.map((r) => `| ${r.key} | ${r.type} | ${r.default} | ${r.example} | ${r.meaning} |`),
      '',
    ].join('\n');
  const entries = propertiesOf(schema);
  const isSection = (n: Node) => branches(n).some((b) => b.properties);
  const top: Row[] = [];
  rows({ properties: Object.fromEntries(entries.filter(([, n]) => !isSection(n))) }, [], example, top);
  const sections = [table('Top level', 'The keys every config starts with.', top)];
  for (const [key, node] of entries.filter(([, n]) => isSection(n))) {
    const out: Row[] = [];
    rows({ properties: { [key]: node } }, [], example, out);
    sections.push(table(`\`${key}\``, node.description ?? '', out));
  }
  return [
    '# Config reference',
    '',
    '<!-- Generated from the schema (src/config/schema.ts) by `npm run docs`; CI fails when it is stale. -->',
    '',
    'The readiness config lives at `.github/llm-release-gate.yml` (the `config` input). Paths in it are',
    'relative to the repository root. Keys not listed here are errors (a typo never passes silently).',
    'For completion and checking in your editor, put this line at the top of the file:',
    '',
    '```yaml',
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    '```',
    '',
    'Keys a list holds are written `list[].key`. Examples come from the bundled',
    '[example config](../examples/llm-release-gate.yml). The files the config points at are described in',
    'the README: eval results and the native JSONL in [Eval results](../README.md#eval-results), the',
    'flagd file and the online metrics JSON in [Staged rollout](../README.md#staged-rollout).',
    '',
    ...sections,
  ].join('\n');
}
