import { ConfigurationError } from '../src/errors.js';
import { judgeDeploy, modelPinning } from '../src/gate/bars/deploy.js';
import { ownerShape } from '../src/gate/bars/owner.js';
import { decide, type RepoFacts } from '../src/gate/decide.js';
import type { Verdict } from '../src/gate/verdict.js';
import { RunBuilder, type Sample } from '../src/results/model.js';
import { configYaml } from './support/config.js';
import { parseConfig } from './helpers.js';

function samples(n: number, passRate: number, extra: Partial<Sample> = {}, prefix = 'c'): Sample[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `${prefix}${i}`,
    outcome: i < Math.round(n * passRate) ? 'pass' : 'fail',
    scores: { refusal: 1 },
    tags: i % 2 === 0 ? ['pii'] : [],
    costUsd: 0.002,
    repeat: 0,
    ...extra,
  }));
}

const facts: RepoFacts = { fileExists: (p) => p === '.github/workflows/deploy.yml', commits: ['abc123def456'] };

function gate(yaml: string, list: Sample[], f: RepoFacts = facts, meta = {}): Verdict {
  const loaded = parseConfig(yaml, 'gate.yml');
  const builder = new RunBuilder({ sliceTags: loaded.config.evals?.slices.map((s) => s.tag) ?? [] });
  list.forEach((s) => builder.add(s));
  return decide({
    config: loaded,
    run: builder.build('native', ['r.jsonl'], meta),
    facts: f,
    inputs: { config: 'gate.yml', results: ['r.jsonl'], baseline: null, format: 'auto' },
  });
}

const status = (v: Verdict) => Object.fromEntries(v.bars.map((b) => [b.name, b.status]));

describe('the gate', () => {
  it('allows a change that clears every bar', () => {
    const v = gate(configYaml(), samples(400, 0.97));
    expect(v.decision).toBe('allow');
    expect(v.readiness).toEqual({ passed: 7, total: 7 });
    expect(v.reasons).toEqual([]);
    expect(v.metrics.map((m) => [m.name, m.slice, m.status])).toEqual([
      ['pass_rate', undefined, 'pass'],
      ['pass_rate', 'pii', 'pass'],
      ['score.refusal', undefined, 'pass'],
    ]);
    expect(v.samples).toEqual({ total: 400, passed: 388, failed: 12, errors: 0, skipped: 0 });
  });

  it('blocks on a pass rate whose interval lies wholly under the minimum, and says why', () => {
    const v = gate(configYaml(), samples(400, 0.8));
    expect(v.decision).toBe('block');
    const m = v.metrics[0]!;
    expect(m.status).toBe('fail');
    expect(m.value).toBeCloseTo(0.8, 10);
    expect(m.ci![1]).toBeLessThan(0.9);
    expect(v.reasons[0]).toMatch(/^evals: pass_rate 80% \(95% CI .*n=400\): below the minimum 90%/);
    expect(status(v)).toMatchObject({
      target: 'pass',
      evals: 'fail',
      deploy: 'blocked',
      observability: 'blocked',
      guardrails: 'blocked',
      cost: 'blocked',
      owner: 'blocked',
    });
  });

  it('calls a pass rate inconclusive when the interval straddles the minimum; on_inconclusive (or the tier) decides', () => {
    const list = samples(120, 0.91);
    const warn = gate(configYaml({ evals: { statistics: { on_inconclusive: 'warn' } } }), list);
    expect(warn.metrics[0]!.status).toBe('inconclusive');
    expect(warn.decision).toBe('allow');
    expect(warn.warnings.join('\n')).toMatch(/pass_rate .* straddles the minimum/);

    // the high tier's default: inconclusive blocks
    const block = gate(configYaml(), list);
    expect(block.metrics[0]!.status).toBe('inconclusive');
    expect(block.decision).toBe('block');

    const estimate = gate(configYaml({ evals: { statistics: { threshold_on: 'estimate' } } }), list);
    expect(estimate.metrics[0]!.status).toBe('pass');
  });

  it('blocks under min_samples and over the error budget; errors leave the pass-rate denominator', () => {
    expect(gate(configYaml(), samples(50, 1)).reasons).toContain('evals: 50 scored cases, under evals.min_samples 100');
    const withErrors = [...samples(300, 1), ...samples(30, 0, { outcome: 'error', message: 'HTTP 503' }, 'e')];
    const v = gate(configYaml(), withErrors);
    expect(v.metrics[0]!.value).toBe(1);
    expect(v.metrics[0]!.n).toBe(300);
    expect(v.reasons.join('\n')).toMatch(
      /30 of 330 samples were infrastructure errors \(9.09%\), over evals.max_error_rate 5%/,
    );
    expect(v.decision).toBe('block');
  });

  it('blocks stale results that name another commit', () => {
    const v = gate(configYaml(), samples(400, 1), facts, { commit: 'ffff000011112222' });
    expect(v.decision).toBe('block');
    expect(v.reasons[0]).toMatch(/stale results: they name commit ffff00001111, but this change is abc123def456/);
    expect(gate(configYaml(), samples(400, 1), facts, { commit: 'abc123d' }).decision).toBe('allow');
  });

  it('requires a commit when require_commit is set', () => {
    const yaml = configYaml({ evals: { require_commit: true } });
    expect(gate(yaml, samples(400, 1)).reasons[0]).toMatch(/require_commit is true but the results name no commit/);
  });

  it('reports an unmeasurable metric as an error that blocks', () => {
    const yaml = configYaml({
      evals: {
        metrics: [
          { name: 'pass_rate', min: 0.9 },
          { name: 'score.faithfulness', min: 0.8 },
        ],
      },
    });
    const v = gate(yaml, samples(400, 1));
    const m = v.metrics.find((x) => x.name === 'score.faithfulness')!;
    expect(m.status).toBe('error');
    expect(m.reason).toMatch(
      /cannot be measured: the results carry no a named score "faithfulness" \(named scores present: refusal\)|named score "faithfulness"/,
    );
    expect(v.decision).toBe('block');
  });

  it('turns a failing non-blocking metric into a warning', () => {
    const yaml = configYaml({
      evals: {
        metrics: [
          { name: 'pass_rate', min: 0.9 },
          { name: 'cost_per_sample_usd', max: 0.001, blocking: false },
        ],
      },
    });
    const v = gate(yaml, samples(400, 1));
    expect(v.metrics.find((m) => m.name === 'cost_per_sample_usd')!.status).toBe('warn');
    expect(v.decision).toBe('allow');
  });

  describe('tiers decide which bars block', () => {
    // No tracing (bar 4), no guardrails (bar 5), no cost (bar 6).
    const bare = (tier: string) =>
      configYaml({ risk: { tier }, observability: undefined, guardrails: undefined, cost: undefined });

    it.each([
      ['low', 'allow', { observability: 'warn', guardrails: 'warn', cost: 'warn', owner: 'pass' }],
      ['medium', 'block', { observability: 'fail', guardrails: 'blocked', cost: 'fail', owner: 'blocked' }],
      ['high', 'block', { observability: 'fail', guardrails: 'blocked', cost: 'fail', owner: 'blocked' }],
      ['critical', 'block', { observability: 'fail', guardrails: 'blocked', cost: 'fail', owner: 'blocked' }],
    ])('%s tier: %s', (tier, decision, bars) => {
      const v = gate(bare(tier), samples(400, 1));
      expect(v.decision).toBe(decision);
      expect(status(v)).toMatchObject(bars);
      expect(v.bars.filter((b) => b.blocking).map((b) => b.id)).toEqual(
        { low: [1, 2, 3, 7], medium: [1, 2, 3, 4, 6, 7], high: [1, 2, 3, 4, 5, 6, 7], critical: [1, 2, 3, 4, 5, 6, 7] }[
          tier
        ],
      );
    });

    it('medium tier: a guardrail failure only warns', () => {
      const v = gate(configYaml({ risk: { tier: 'medium' } }), samples(400, 1, { scores: { refusal: 0 } }));
      expect(status(v).guardrails).toBe('warn');
      expect(v.decision).toBe('allow');
    });

    it('a missing tier is judged as high and fails the target bar', () => {
      const v = gate(configYaml({ risk: undefined }), samples(400, 1));
      expect(v.tier).toBe('high');
      expect(status(v).target).toBe('fail');
      expect(v.decision).toBe('block');
      expect(v.bars.every((b) => b.blocking)).toBe(true);
    });

    it('high tier needs a human approval step', () => {
      const v = gate(configYaml({ guardrails: { human_approval: undefined } }), samples(400, 1));
      expect(status(v).guardrails).toBe('fail');
      expect(v.reasons.join('\n')).toMatch(/high tier needs a human approval step/);
    });
  });

  it('checks the deploy bar: pinned model, rollback path, workflow file', () => {
    const v = gate(configYaml({ deploy: { model: 'gpt-4o-latest' } }), samples(400, 1), {
      ...facts,
      fileExists: () => false,
    });
    expect(status(v).deploy).toBe('fail');
    expect(v.reasons.join('\n')).toMatch(/model not pinned: "gpt-4o-latest" is a moving alias/);
    expect(v.reasons.join('\n')).toMatch(/deploy.workflow .github\/workflows\/deploy.yml does not exist/);
  });

  it('projects cost against the monthly budget', () => {
    const v = gate(configYaml({ cost: { monthly_budget_usd: 50 } }), samples(400, 1));
    // $0.002 × 1000/day × 30 = $60
    expect(v.reasons).toContain('cost: projected $60.00/month ($0.002 × 1000 requests/day × 30) is over budget $50.00');
  });

  it('fails the owner bar for a team', () => {
    const v = gate(configYaml({ owner: { name: '@acme/ml-team' } }), samples(400, 1));
    expect(v.reasons).toContain(
      'owner: owner.name "@acme/ml-team" is a team: name one person (a GitHub login such as @alice)',
    );
  });

  it('blocks when results could not be read', () => {
    const loaded = parseConfig(configYaml(), 'gate.yml');
    const v = decide({
      config: loaded,
      run: { summary: 'Cannot read eval results r.jsonl.', problems: [{ file: 'r.jsonl', message: 'does not exist' }] },
      facts,
      inputs: { config: 'gate.yml', results: ['r.jsonl'], baseline: null, format: 'auto' },
    });
    expect(v.decision).toBe('block');
    expect(status(v).evals).toBe('fail');
    expect(v.errors).toEqual([{ file: 'r.jsonl', message: 'does not exist' }]);
  });
});

describe('model pinning and owner shape', () => {
  it.each([
    ['gpt-4o-2024-08-06', true],
    ['claude-3-5-sonnet-20241022', true],
    ['gemini-1.5-pro-002', true],
    ['mistral-large-2411', true],
    ['gpt-4-0613', true],
    ['ollama/llama3@sha256:0123456789abcdef', true],
    ['gemini-2.5-pro', false],
    ['meta-llama/Llama-3.1-8B-Instruct', false],
    ['meta-llama/Llama-3.1-8B-Instruct@0e9e39f249a16976918f6564b8830bc894c89659', true],
    ['my-finetune:v3', true],
    ['gpt-4o', false],
    ['gpt-4o-latest', false],
    ['chatgpt-4o-latest', false],
    ['claude-sonnet-4-5', false],
    ['gemini-2.0-flash-exp', false],
  ])('%s pinned: %s', (model, pinned) => {
    expect(modelPinning(model).pinned).toBe(pinned);
  });

  it('deploy.model_pinned counts an id as pinned with a reason, and requires one', () => {
    const config = (deploy: string) =>
      parseConfig(`version: 1\nservice: s\ndeploy: ${deploy}\n`, 'g.yml').config as Parameters<
        typeof judgeDeploy
      >[0]['config'];
    const facts = { fileExists: () => true } as unknown as Parameters<typeof judgeDeploy>[0]['facts'];
    const ctx = (deploy: string) => ({ config: config(deploy), facts }) as Parameters<typeof judgeDeploy>[0];
    const [unpinned] = judgeDeploy(ctx('{ model: gemini-2.5-pro }'));
    expect(unpinned).toMatchObject({ status: 'fail', config_path: 'deploy.model' });
    expect(unpinned!.text).toMatch(/set deploy.model_pinned: true with deploy.model_pinned_reason/);
    const [pinned] = judgeDeploy(
      ctx('{ model: gemini-2.5-pro, model_pinned: true, model_pinned_reason: "Google stable ids are fixed" }'),
    );
    expect(pinned).toMatchObject({ status: 'pass', config_path: 'deploy.model_pinned' });
    expect(pinned!.text).toMatch(/Google stable ids are fixed/);
    expect(() => config('{ model: gemini-2.5-pro, model_pinned: true }')).toThrow(ConfigurationError);
  });

  it('accepts one login and rejects teams and free text', () => {
    expect(ownerShape('@alice').status).toBe('pass');
    expect(ownerShape('bob-smith').status).toBe('pass');
    expect(ownerShape('@acme/ml').status).toBe('fail');
    expect(ownerShape('Alice and Bob').status).toBe('fail');
  });
});
