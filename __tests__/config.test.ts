import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { renderConfigReference } from '../src/config/reference.js';
import { configJsonSchema } from '../src/config/schema.js';
import * as z from '../src/config/shape.js';
import { ConfigurationError, type Problem } from '../src/errors.js';
import { ROOT, parseConfig } from './helpers.js';

function problemsOf(text: string): Problem[] {
  try {
    parseConfig(text, 'gate.yml');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigurationError);
    return (err as ConfigurationError).problems;
  }
  throw new Error('expected the config to be rejected');
}

describe('readiness config', () => {
  it('accepts the example of SPEC §3 and fills defaults', () => {
    const text = readFileSync(path.join(ROOT, 'examples/llm-release-gate.yml'), 'utf8');
    const { config, lineOf } = parseConfig(text, 'examples/llm-release-gate.yml');
    expect(config.risk?.tier).toBe('high');
    expect(config.evals?.metrics[0]).toEqual({ name: 'pass_rate', min: 0.95, max_drop: 0.02, blocking: true });
    expect(config.evals?.statistics.threshold_on).toBe('interval');
    expect(config.rollout?.stages.map((s) => s.percent)).toEqual([1, 10, 50, 100]);
    expect(lineOf('evals.metrics.1')).toBe(text.split('\n').findIndex((l) => l.includes('score.faithfulness')) + 1);
  });

  it('reports every problem at once, each with key path, line, what was found and what is expected', () => {
    const problems = problemsOf(
      [
        'version: 1', // 1
        'service: x', // 2
        'evals:', // 3
        '  min_samples: "many"', // 4
        '  metrics:', // 5
        '    - { name: pass_rate, min: 90 }', // 6
        '    - { name: latency_p95_ms, max_drop: 3 }', // 7
        '    - { name: bogus, min: 1 }', // 8
        '  statistcs: {}', // 9
        'risk: { tier: extreme }', // 10
      ].join('\n'),
    );
    const byPath = Object.fromEntries(problems.map((p) => [p.path, p]));
    expect(byPath['evals.min_samples']).toMatchObject({ line: 4, file: 'gate.yml' });
    expect(byPath['evals.min_samples']!.message).toMatch(/expected a number, found the text "many"/);
    expect(byPath['evals.metrics.0.min']).toMatchObject({ line: 6 });
    expect(byPath['evals.metrics.0.min']!.message).toMatch(/between 0 and 1, found 90 \(write 90% as 0.9\)/);
    expect(byPath['evals.metrics.1.max_drop']!.message).toMatch(/use max_increase/);
    expect(byPath['evals.metrics.2.name']).toMatchObject({ line: 8 });
    expect(byPath['evals.metrics.2.name']!.message).toMatch(
      /"bogus" is not a metric the gate knows: use one of pass_rate/,
    );
    expect(byPath['evals.statistcs']).toMatchObject({ line: 9 });
    expect(byPath['evals.statistcs']!.message).toMatch(/unknown key/);
    expect(byPath['risk.tier']).toMatchObject({ line: 10 });
    expect(byPath['risk.tier']!.message).toMatch(
      /found the text "extreme"; expected one of "low", "medium", "high", "critical"/,
    );
    expect(problems).toHaveLength(6);
  });

  it('names a value of the wrong type once (not also its length, as zod did)', () => {
    expect(problemsOf('version: 1\nservice: []\n').map((p) => `${p.path}: ${p.message}`)).toEqual([
      'service: expected a string, found a list of 0',
    ]);
  });

  it('says what is missing and where to add it', () => {
    const problems = problemsOf('service: x\n');
    expect(problems).toEqual([
      { file: 'gate.yml', path: 'version', line: 1, message: expect.stringMatching(/required but missing/) },
    ]);
  });

  it('validates the rollout section: durations, rising stages ending at 100%, provider needs', () => {
    const problems = problemsOf(
      [
        'version: 1',
        'service: x',
        'rollout:',
        '  flag: { key: a }',
        '  stages:',
        '    - { percent: 10, min_duration: 3 weeks }',
        '    - { percent: 5 }',
      ].join('\n'),
    );
    const messages = problems.map((p) => `${p.path}@${p.line}: ${p.message}`);
    expect(messages).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^rollout.flag.path@4: flagd-file needs path/),
        expect.stringMatching(/^rollout.stages.0.min_duration@6: the text "3 weeks" is not a duration/),
        expect.stringMatching(/^rollout.stages.1.percent@7: stages must rise: 5% follows 10%/),
        expect.stringMatching(/^rollout.stages.1.percent@7: the last stage must be 100%/),
      ]),
    );
  });

  it('a stage the provider cannot serve is a config error; a Prometheus rate needs its requests query', () => {
    const rollout = (flag: string, stages: string, analysis = '') =>
      ['version: 1', 'service: x', 'rollout:', `  flag: ${flag}`, `  stages: ${stages}`, analysis].join('\n');
    const unleash = problemsOf(
      rollout('{ provider: unleash, key: a, url: "https://u.example" }', '[{ percent: 0.5 }, { percent: 100 }]'),
    );
    expect(unleash.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'rollout.stages.0.percent: 0.5%: Unleash serves whole percentages only: use a whole number',
    ]);
    expect(
      problemsOf(rollout('{ key: a, path: f.json }', '[{ percent: 0.0005 }, { percent: 100 }]')).map((p) => p.message),
    ).toEqual(['0.0005%: flagd weights are in thousandths of a percent: use at most 3 decimals']);
    // 0.5% is fine on flagd (scaled weights) and LaunchDarkly
    expect(() =>
      parseConfig(rollout('{ key: a, path: f.json }', '[{ percent: 0.5 }, { percent: 100 }]'), 'g.yml'),
    ).not.toThrow();
    const prom = problemsOf(
      rollout(
        '{ key: a, path: f.json }',
        '[{ percent: 100 }]',
        '  analysis:\n    source: { provider: prometheus, url: "http://p.example" }\n    metrics:\n      - { name: error_rate, max: 0.05, query: { canary: a, control: b } }\n      - { name: latency_ms, max: 900 }',
      ),
    );
    expect(prom.map((p) => `${p.path}: ${p.message}`)).toEqual([
      'rollout.analysis.source.requests: error_rate is a rate: the prometheus source needs requests: { canary: ..., control: ... } to weigh it',
      'rollout.analysis.metrics.1.query: the prometheus source needs a query per variant: query: { canary: ..., control: ... }',
    ]);
  });

  it('points YAML syntax errors at their line', () => {
    const problems = problemsOf('version: 1\nservice: x\nevals:\n  metrics: [ { name: pass_rate\n');
    expect(problems[0]!.line).toBeGreaterThanOrEqual(4);
    expect(problems[0]!.message).toMatch(/Fix the YAML syntax/);
  });

  it('rejects an empty file and a duplicate key', () => {
    expect(problemsOf('')[0]!.message).toMatch(/expected a YAML mapping that starts with "version: 1"/);
    expect(problemsOf('version: 1\nservice: a\nservice: b\n')[0]).toMatchObject({ line: 3 });
  });

  it('ships a JSON Schema generated from the schema, kept current', () => {
    const shipped = JSON.parse(readFileSync(path.join(ROOT, 'schema/config.schema.json'), 'utf8'));
    expect(shipped).toEqual(configJsonSchema());
    expect(shipped.properties.risk.properties.tier.enum).toEqual(['low', 'medium', 'high', 'critical']);
    expect(shipped.required).toEqual(['version', 'service']);
  });
});

describe('the config reference', () => {
  const schema = configJsonSchema();

  it('describes every key of the schema', () => {
    const missing: string[] = [];
    const walk = (n: unknown, at: string): void => {
      if (typeof n !== 'object' || n === null) return;
      const node = n as Record<string, unknown>;
      for (const [k, v] of Object.entries((node.properties as Record<string, { description?: string }>) ?? {})) {
        if (!v.description) missing.push(`${at}${k}`);
        walk(v, `${at}${k}.`);
      }
      for (const key of ['items', 'anyOf', 'oneOf'])
        for (const child of ([] as unknown[]).concat(node[key] ?? [])) walk(child, key === 'items' ? `${at}[].` : at);
    };
    walk(schema, '');
    expect(missing).toEqual([]);
  });

  it('docs/config.md is the reference generated from the schema (npm run docs writes it)', () => {
    const example = parse(readFileSync(path.join(ROOT, 'examples/llm-release-gate.yml'), 'utf8')) as unknown;
    const committed = readFileSync(path.join(ROOT, 'docs/config.md'), 'utf8');
    expect(committed).toBe(renderConfigReference(example));
    for (const key of ['`evals.metrics[].name`', '`cost.monthly_budget_usd`', '`rollout.analysis.max_errors`'])
      expect(committed).toContain(key);
  });

  it('the JSON Schema rejects what the gate rejects where it can say it: rates in [0, 1], known metric names', () => {
    const validate = new Ajv2020({ strict: false, validateFormats: false }).compile(schema);
    const ok = (metrics: string) => validate(parse(`version: 1\nservice: s\nevals: { metrics: [${metrics}] }\n`));
    expect(ok('{ name: pass_rate, min: 0.9 }')).toBe(true);
    expect(ok('{ name: score.faithfulness, min: 0.9 }, { name: latency_p95_ms, max: 2500 }')).toBe(true);
    expect(ok('{ name: pass_rate, min: 90 }')).toBe(false);
    expect(ok('{ name: error_rate, max: 5 }')).toBe(false);
    expect(ok('{ name: pass_rte, min: 0.9 }')).toBe(false);
    expect(validate(parse(readFileSync(path.join(ROOT, 'examples/llm-release-gate.yml'), 'utf8')))).toBe(true);
  });

  it('names each unknown key at its own line, with the nearest known key', () => {
    const problems = problemsOf('version: 1\nservice: s\nevals:\n  statistcs: {}\n  baselin: b.json\n');
    expect(problems.map((p) => [p.path, p.line])).toEqual([
      ['evals.statistcs', 4],
      ['evals.baselin', 5],
    ]);
    expect(problems[0]!.message).toMatch(
      /unknown key "evals.statistcs": did you mean "statistics"\? \(every key is in docs\/config.md/,
    );
    expect(problems[1]!.message).toMatch(/did you mean "baseline"\?/);
  });
});

describe('the schema language (shape.ts)', () => {
  const issuesOf = (schema: z.Schema, value: unknown) => {
    const r = schema.safeParse(value);
    return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}:${i.code}`);
  };

  it('stops a value’s checks at a wrong type, not at a failed bound or refinement', () => {
    const s = z.string().min(3).regex(/^a/, { message: 'starts with a' });
    expect(issuesOf(s, 5)).toEqual([':invalid_type']);
    expect(issuesOf(s, 'b')).toEqual([':too_small', ':invalid_format']);
    expect(issuesOf(z.number().int().min(1), 0.5)).toEqual([':invalid_type']);
    expect(issuesOf(z.number().int().min(1), 0)).toEqual([':too_small']);
    for (const v of [Infinity, NaN, '1']) expect(issuesOf(z.number(), v)).toEqual([':invalid_type']);
  });

  it('lists the keys of an object in order, then its unknown keys, then its refinements (not after a wrong type in it)', () => {
    const s = z
      .strictObject({ a: z.string(), b: z.number().max(1), c: z.boolean().optional() })
      .superRefine((o, ctx) => ctx.addIssue({ code: 'custom', message: 'seen', path: ['b'] }));
    expect(issuesOf(s, { b: 2, x: 1, y: 2 })).toEqual(['a:invalid_type', 'b:too_big', ':unrecognized_keys']);
    expect(issuesOf(s, { a: 'a', b: 2, x: 1 })).toEqual(['b:too_big', ':unrecognized_keys', 'b:custom']);
    expect(s.safeParse({ a: 'a', b: 0, x: 1 })).toMatchObject({ error: { issues: [{ keys: ['x'] }, {}] } });
    // An absent optional key stays absent; a key holding undefined is kept.
    const out = z.strictObject({ a: z.string().optional() }).safeParse({});
    expect(out.success && Object.keys(out.data)).toEqual([]);
  });

  it('takes the first option of a union the value passes, names the one it nearly passed, else none', () => {
    const s = z.union([z.string().min(1), z.array(z.string()).min(1)]);
    expect(s.safeParse(['a'])).toEqual({ success: true, data: ['a'] });
    expect(issuesOf(s, '')).toEqual([':too_small']);
    expect(issuesOf(s, 5)).toEqual([':invalid_union']);
  });

  it('chooses an option of a discriminated union by its key, which a preprocess may fill in', () => {
    const s = z.preprocess(
      (v) => (typeof v === 'object' && v !== null && !('kind' in v) ? { ...v, kind: 'a' } : v),
      z.discriminatedUnion('kind', [
        z.strictObject({ kind: z.literal('a'), x: z.number() }),
        z.strictObject({ kind: z.literal('b'), y: z.string().url() }),
      ]),
    );
    expect(s.safeParse({ x: 1 })).toEqual({ success: true, data: { kind: 'a', x: 1 } });
    expect(s.safeParse({ kind: 'b', y: ' http://h.example/\tp ' })).toEqual({
      success: true,
      data: { kind: 'b', y: 'http://h.example/p' },
    });
    expect(issuesOf(s, { kind: 'b', y: 'not a url' })).toEqual(['y:invalid_format']);
    expect(issuesOf(s, { kind: 'c' })).toEqual(['kind:invalid_union']);
    expect(issuesOf(s, 3)).toEqual([':invalid_type']);
  });

  it('fills a default as it is (a fresh copy each time), a prefault through the schema', () => {
    const s = z.strictObject({
      list: z.array(z.number()).default([1]),
      inner: z.strictObject({ n: z.number().default(2) }).prefault({}),
    });
    const a = s.safeParse({});
    const b = s.safeParse({});
    expect(a).toEqual({ success: true, data: { list: [1], inner: { n: 2 } } });
    expect(a.success && b.success && a.data.list !== b.data.list).toBe(true);
    expect(issuesOf(s, { list: ['x'] })).toEqual(['list.0:invalid_type']);
  });

  it('writes the JSON Schema of what it accepts: required keys, bounds, defaults, descriptions', () => {
    const s = z.strictObject({
      n: z.number().int().min(1).describe('n'),
      p: z.number().gt(0).lt(1).default(0.5),
      o: z.string().optional().describe('o'),
      d: z
        .string()
        .refine((v) => v.length > 1, { message: 'short' })
        .transform((v) => v.length),
    });
    expect(z.toJSONSchema(s)).toEqual({
      $schema: 'https://json-schema.org/draft/2020-12/schema',
      type: 'object',
      properties: {
        n: { type: 'integer', minimum: 1, maximum: Number.MAX_SAFE_INTEGER, description: 'n' },
        p: { type: 'number', exclusiveMinimum: 0, exclusiveMaximum: 1, default: 0.5 },
        o: { type: 'string', description: 'o' },
        d: { type: 'string' },
      },
      required: ['n', 'd'],
      additionalProperties: false,
    });
    expect(s.safeParse({ n: 1, d: 'abc' })).toEqual({ success: true, data: { n: 1, p: 0.5, d: 3 } });
  });
});
