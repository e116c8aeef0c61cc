import { analyse, type OnlineMetrics } from '../src/rollout/analysis.js';
import { parseOnlineMetrics } from '../src/rollout/sources/online-metrics.js';
import { reconcile, type DeploymentRecord, type ObservedState, type RolloutPolicy } from '../src/rollout/reconcile.js';
import { describeStatus, recordFrom } from '../src/rollout/record.js';
import { alwaysValidP, confidenceSequence, proportionDifference } from '../src/stats/sequential.js';
import { rng } from '../src/stats/bootstrap.js';

const MIN = 60_000;
const policy: RolloutPolicy = {
  stages: [
    { percent: 1, minDurationMs: 30 * MIN, minSamples: 200, approval: false },
    { percent: 10, minDurationMs: 60 * MIN, minSamples: 100, approval: false },
    { percent: 50, minDurationMs: 120 * MIN, minSamples: 100, approval: true },
    { percent: 100, minDurationMs: 60 * MIN, minSamples: 100, approval: false },
  ],
  metrics: [
    { name: 'error_rate', max_increase: 0.01 },
    { name: 'cost_per_request_usd', max: 0.012 },
  ],
  maxErrors: 3,
  onRegression: 'rollback',
};

const healthy: OnlineMetrics = {
  canary: { requests: 20_000, counts: { error: 200 }, means: { cost_per_request_usd: 0.01 } },
  control: { requests: 200_000, counts: { error: 2_000 }, means: { cost_per_request_usd: 0.01 } },
};
const regressed: OnlineMetrics = {
  canary: { requests: 20_000, counts: { error: 800 }, means: { cost_per_request_usd: 0.01 } },
  control: { requests: 200_000, counts: { error: 2_000 }, means: { cost_per_request_usd: 0.01 } },
};

const T0 = new Date('2026-11-28T10:00:00Z');
const deployment = (stage: number, extra: Partial<DeploymentRecord> = {}): DeploymentRecord => ({
  id: 9,
  release: 'r2',
  stage,
  stageStartedAt: T0,
  status: 'active',
  errors: 0,
  ...extra,
});
const at = (minutes: number) => new Date(T0.getTime() + minutes * MIN);
const state = (extra: Partial<ObservedState>): ObservedState => ({
  release: 'r2',
  flag: { percent: 1 },
  gateAllowed: true,
  metrics: healthy,
  now: at(31),
  ...extra,
});

describe('the rollout reconciler, one transition at a time', () => {
  it.each<[string, Partial<ObservedState>, string, number, RegExp]>([
    [
      'no deployment, gate allowed: start at the first stage',
      { deployment: undefined, flag: { percent: 0 } },
      'start',
      1,
      /allowed by the gate/,
    ],
    [
      'no deployment, gate blocked: nothing',
      { deployment: undefined, flag: { percent: 0 }, gateAllowed: false },
      'none',
      0,
      /blocked by the gate/,
    ],
    [
      'no deployment, gate unknown: nothing',
      { deployment: undefined, flag: { percent: 0 }, gateAllowed: undefined },
      'none',
      0,
      /could not be found/,
    ],
    ['stage baked, healthy: advance', { deployment: deployment(0) }, 'advance', 10, /baked with healthy metrics/],
    ['stage not baked: hold', { deployment: deployment(0), now: at(10) }, 'hold', 1, /baked 10m of 30m/],
    [
      'too few canary requests: hold',
      {
        deployment: deployment(0),
        metrics: { ...healthy, canary: { ...healthy.canary!, requests: 50, counts: { error: 0 } } },
      },
      'hold',
      1,
      /50 of 200 requests/,
    ],
    [
      'regression: roll back to 0%',
      { deployment: deployment(1), flag: { percent: 10 }, metrics: regressed, now: at(61) },
      'rollback',
      0,
      /canary regressed \(error_rate: canary − control is above 1% \(3%, always-valid 95% interval/,
    ],
    [
      'approval needed to leave the 50% stage',
      { deployment: deployment(2), flag: { percent: 50 }, now: at(121) },
      'hold',
      50,
      /waits for an approval/,
    ],
    [
      'approved: advance to 100%',
      { deployment: deployment(2, { approvedStage: 2 }), flag: { percent: 50 }, now: at(121) },
      'advance',
      100,
      /baked/,
    ],
    [
      'last stage baked: complete',
      { deployment: deployment(3), flag: { percent: 100 }, now: at(61) },
      'complete',
      100,
      /100% has baked/,
    ],
    [
      'flag changed by hand: hold, never fight',
      { deployment: deployment(1), flag: { percent: 25 }, now: at(61) },
      'hold',
      25,
      /flag is at 25%, but stage 2 of the plan is 10%/,
    ],
    [
      'flag unreadable: hold and count',
      { deployment: deployment(1), flag: { error: 'HTTP 503' }, now: at(61) },
      'hold',
      10,
      /flag could not be read/,
    ],
    [
      'metrics unreadable: hold and count',
      { deployment: deployment(1), flag: { percent: 10 }, metrics: { error: 'ENOENT' }, now: at(61) },
      'hold',
      10,
      /metrics could not be read/,
    ],
    [
      'already rolled back: nothing',
      { deployment: deployment(1, { status: 'rolled_back' }), flag: { percent: 0 } },
      'none',
      0,
      /was rolled back/,
    ],
    [
      'complete: nothing',
      { deployment: deployment(3, { status: 'complete' }), flag: { percent: 100 } },
      'none',
      100,
      /fully rolled out/,
    ],
  ])('%s', (_, s, action, percent, reason) => {
    const d = reconcile(state(s), policy);
    expect(d.action).toBe(action);
    expect(d.percent).toBe(percent);
    expect(d.reason).toMatch(reason);
  });

  it('a newer release mid-rollout supersedes the old deployment and starts over', () => {
    const d = reconcile(state({ release: 'r3', deployment: deployment(2), flag: { percent: 50 } }), policy);
    expect(d).toMatchObject({ action: 'start', percent: 1, stage: 0, supersedes: 9 });
    expect(d.reason).toMatch(/replaces r2 mid-rollout/);
  });

  it('does not start over a flag someone else moved (a hand), and tells the owner once', () => {
    const d = reconcile(state({ deployment: undefined, flag: { percent: 25 } }), policy);
    expect(d.action).toBe('hold');
    expect(d.reason).toMatch(/the flag is at 25%, but no rollout has set it yet/);
    // superseding: the flag must be where the old rollout left it
    const moved = reconcile(state({ release: 'r3', deployment: deployment(2), flag: { percent: 25 } }), policy);
    expect(moved).toMatchObject({ action: 'hold', report: 'hand' });
    expect(moved.alert).toMatch(/changed outside the plan \(50% → 25%\)/);
    const again = reconcile(
      state({ release: 'r3', deployment: deployment(2, { reported: 'hand:25' }), flag: { percent: 25 } }),
      policy,
    );
    expect([again.action, again.report, again.alert]).toEqual(['hold', undefined, undefined]);
    expect(again.warnings[0]).toMatch(/changed outside the plan/);
  });

  it.each<[string, Partial<ObservedState>, object]>([
    [
      'a start written to the flag but never recorded is recorded, not written again',
      { deployment: undefined, flag: { percent: 1 } },
      { action: 'start', percent: 1, recordOnly: true },
    ],
    [
      'an advance written but not recorded is recorded (its bake starts now)',
      { deployment: deployment(1), flag: { percent: 50 }, now: at(61) },
      { action: 'advance', stage: 2, percent: 50, recordOnly: true },
    ],
    [
      'a rollback written but not recorded is recorded, and the owner told',
      { deployment: deployment(1), flag: { percent: 0 }, now: at(61) },
      { action: 'rollback', percent: 0, recordOnly: true, alert: expect.stringMatching(/found at 0%/) },
    ],
    [
      'a regression is rolled back whatever the record says (the flag raised by hand)',
      { deployment: deployment(1), flag: { percent: 30 }, metrics: regressed, now: at(61) },
      { action: 'rollback', percent: 0, expected: 30, alert: expect.stringMatching(/Rolled back r2 from 30%/) },
    ],
    [
      'a rolled-back release stays down',
      { deployment: deployment(1, { status: 'rolled_back' }), flag: { percent: 0 } },
      { action: 'none', percent: 0 },
    ],
    [
      'an environment switched off holds and tells the owner once',
      { deployment: deployment(1), flag: { percent: 10, off: 'the production environment is disabled' }, now: at(61) },
      { action: 'hold', report: 'off', alert: expect.stringMatching(/switched off/) },
    ],
    [
      'the 100% stage completes on its own bake: no control, so absolute bounds only',
      {
        deployment: deployment(3),
        flag: { percent: 100 },
        metrics: { canary: { requests: 200_000, counts: { error: 2000 }, means: { cost_per_request_usd: 0.01 } } },
        now: at(61),
      },
      { action: 'complete', percent: 100 },
    ],
    [
      'a paused stage lifted by an approver goes on',
      {
        deployment: deployment(1, { status: 'paused', approvedStage: 1 }),
        flag: { percent: 10 },
        metrics: regressed,
        now: at(61),
      },
      { action: 'advance', percent: 50, warnings: [expect.stringMatching(/waived by an approver/)] },
    ],
  ])('%s', (_, s, expected) => {
    expect(reconcile(state(s), policy)).toMatchObject(expected);
  });

  it('one canary request with one error is not a regression; a clear one is, at once', () => {
    const policyMax: RolloutPolicy = { ...policy, metrics: [{ name: 'error_rate', max: 0.05 }] };
    const one = {
      canary: { requests: 1, counts: { error: 1 }, means: {} },
      control: { requests: 100, counts: { error: 2 }, means: {} },
    };
    const d = reconcile(
      state({ deployment: deployment(0), flag: { percent: 1 }, metrics: one, now: at(1) }),
      policyMax,
    );
    expect(d.action).toBe('hold');
    expect(d.evidence[0]!.status).toBe('inconclusive');
    const clear = {
      canary: { requests: 2000, counts: { error: 400 }, means: {} },
      control: { requests: 20000, counts: { error: 400 }, means: {} },
    };
    expect(
      reconcile(state({ deployment: deployment(0), flag: { percent: 1 }, metrics: clear, now: at(1) }), policyMax)
        .action,
    ).toBe('rollback');
  });

  it('a hand-set flag comes with a warning', () => {
    expect(
      reconcile(state({ deployment: deployment(1), flag: { percent: 25 }, now: at(61) }), policy).warnings[0],
    ).toMatch(/changed outside the plan \(10% → 25%\)/);
  });

  it('missing metric data is never a rollback on its own, and alerts past max_errors', () => {
    const broken: OnlineMetrics = { canary: { requests: 20_000, counts: {}, means: {} }, control: healthy.control };
    const one = reconcile(
      state({ deployment: deployment(1, { errors: 2 }), flag: { percent: 10 }, metrics: broken, now: at(61) }),
      policy,
    );
    expect(one).toMatchObject({ action: 'hold', errors: 3, alert: undefined });
    const four = reconcile(
      state({ deployment: deployment(1, { errors: 3 }), flag: { percent: 10 }, metrics: broken, now: at(61) }),
      policy,
    );
    expect(four).toMatchObject({ action: 'hold', errors: 4 });
    expect(four.alert).toMatch(/stuck: more than 3 ticks without usable metrics/);
    // the count saturates: a long outage writes no more statuses and alerts once
    const five = reconcile(
      state({ deployment: deployment(1, { errors: 4 }), flag: { percent: 10 }, metrics: broken, now: at(61) }),
      policy,
    );
    expect(five).toMatchObject({ action: 'hold', errors: 4, alert: undefined });
  });

  it('on_regression: pause holds and alerts instead of rolling back', () => {
    const d = reconcile(state({ deployment: deployment(1), flag: { percent: 10 }, metrics: regressed, now: at(61) }), {
      ...policy,
      onRegression: 'pause',
    });
    expect(d).toMatchObject({ action: 'hold', report: 'pause' });
    expect(d.alert).toMatch(/paused at 10%/);
  });

  it('the critical tier needs an approval to leave every stage but the last', async () => {
    const { stagesFrom } = await import('../src/rollout/plan.js');
    const stages = stagesFrom(
      {
        environment: 'production',
        flag: { provider: 'flagd-file', key: 'k', path: 'f.json' },
        stages: [
          { percent: 5, approval: false },
          { percent: 100, approval: false },
        ],
        on_regression: 'rollback',
        approvers: [],
      },
      'critical',
    );
    expect(stages.map((s) => s.approval)).toEqual([true, false]);
  });
});

describe('canary analysis', () => {
  it('judges rates with an always-valid interval and means on their values; missing data is an error', () => {
    const evidence = analyse(
      [
        { name: 'error_rate', max_increase: 0.01 },
        { name: 'thumbs_down_rate', max_increase: 0.02 },
        { name: 'cost_per_request_usd', max: 0.012 },
        { name: 'latency_ms', max_increase: 100 },
      ],
      {
        canary: { requests: 5000, counts: { error: 50 }, means: { cost_per_request_usd: 0.013 } },
        control: { requests: 50000, counts: { error: 500, thumbs_down: 100 }, means: { cost_per_request_usd: 0.01 } },
      },
      { baked: true },
    );
    expect(evidence.map((e) => [e.name, e.status])).toEqual([
      ['error_rate', 'pass'],
      ['thumbs_down_rate', 'error'],
      ['cost_per_request_usd', 'fail'],
      ['latency_ms', 'error'],
    ]);
    expect(
      analyse([{ name: 'error_rate', max_increase: 0.01 }], {
        canary: { requests: 0, counts: { error: 0 }, means: {} },
        control: healthy.control,
      })[0]!.status,
    ).toBe('error');
    expect(analyse([{ name: 'error_rate', max_increase: 0.01 }], { control: healthy.control })[0]!.detail).toMatch(
      /no canary variant/,
    );
  });

  it('a mean without sds is judged on its value only once the stage has baked; with sds, with an interval', () => {
    const m = [{ name: 'latency_ms', max_increase: 50 }];
    const data = (sd?: number): OnlineMetrics => ({
      canary: { requests: 400, counts: {}, means: { latency_ms: 980 }, ...(sd ? { sds: { latency_ms: sd } } : {}) },
      control: { requests: 4000, counts: {}, means: { latency_ms: 900 }, ...(sd ? { sds: { latency_ms: sd } } : {}) },
    });
    expect(analyse(m, data())[0]!.status).toBe('inconclusive');
    expect(analyse(m, data(), { baked: true })[0]!).toMatchObject({
      status: 'fail',
      detail: expect.stringMatching(/no sds given/),
    });
    // sd 2000 ms on 400 requests: 80 ms more is not told from 50 ms; sd 100 ms: it clearly is
    expect(analyse(m, data(2000), { baked: true })[0]!.status).toBe('inconclusive');
    expect(analyse(m, data(100))[0]!).toMatchObject({ status: 'fail', cs: [expect.any(Number), expect.any(Number)] });
  });
});

describe('online metrics are validated: garbage is never evidence', () => {
  const now = new Date('2026-11-28T12:00:00Z');
  const doc = (canary: object, extra: object = {}) => ({
    generated_at: '2026-11-28T11:55:00Z',
    variants: { canary, control: { requests: 100, counts: { error: 1 } } },
    ...extra,
  });
  it.each<[string, unknown, RegExp]>([
    [
      'more errors than requests',
      doc({ requests: 10, counts: { error: 11 } }),
      /counts.error is 11, more than the 10 requests/,
    ],
    [
      'a non-finite request count',
      JSON.parse('{"generated_at":"2026-11-28T11:55:00Z","variants":{"canary":{"requests":1e400}}}'),
      /requests is Infinity/,
    ],
    ['a negative count', doc({ requests: 10, counts: { error: -1 } }), /counts.error is -1/],
    ['a fractional request count', doc({ requests: 10.5 }), /requests is 10.5/],
    ['no generated_at', { variants: { canary: { requests: 1 } } }, /no "generated_at"/],
    ['generated_at in the future', doc({ requests: 1 }, { generated_at: '2026-11-28T13:00:00Z' }), /in the future/],
    ['stale', doc({ requests: 1 }, { generated_at: '2026-11-28T08:00:00Z' }), /stale/],
    ['a negative sd', doc({ requests: 1, sds: { latency_ms: -3 } }), /sds.latency_ms is -3/],
  ])('%s', (_, raw, message) => {
    expect(() => parseOnlineMetrics(raw, 'metrics.json', now)).toThrow(message);
  });
  it('metric names of every object (toString, constructor, __proto__) are missing data, not values', () => {
    const m: OnlineMetrics = {
      canary: { requests: 100, counts: {}, means: {} },
      control: { requests: 100, counts: {}, means: {} },
    };
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty_rate', '__proto___rate'])
      expect(analyse([{ name, max: 1 }], m)[0]!.status).toBe('error');
  });

  it('a null count is missing, not zero', () => {
    const m = parseOnlineMetrics(doc({ requests: 10, counts: { error: null } }), 'm', now);
    expect(analyse([{ name: 'error_rate', max: 0.1 }], m)[0]!.status).toBe('error');
  });
});

describe('always-valid confidence sequences', () => {
  it('match the mSPRT boundary of Johari et al. (2017) computed by hand', () => {
    // v = 1e-4, τ² = 1e-4, α = 0.05: half-width = sqrt(2·v·(v+τ²)/τ² · ln(sqrt(2)/0.05)) = sqrt(4e-4 · 3.3423)
    const [l, h] = confidenceSequence(0, 1e-4, 0.05, 1e-4);
    expect(h).toBeCloseTo(Math.sqrt(4e-4 * Math.log(Math.SQRT2 / 0.05)), 12);
    expect(l).toBeCloseTo(-h, 12);
    expect(alwaysValidP(h, 1e-4, 0, 1e-4)).toBeCloseTo(0.05, 10);
  });

  it('keep their coverage however often a rollout looks (a fixed interval does not)', () => {
    const random = rng(11);
    let everMissed = 0;
    let fixedMissed = 0;
    const sims = 600;
    for (let s = 0; s < sims; s++) {
      let x1 = 0;
      let x2 = 0;
      let n = 0;
      let a = false;
      let b = false;
      for (let look = 0; look < 40; look++) {
        for (let i = 0; i < 100; i++) {
          x1 += random() < 0.05 ? 1 : 0;
          x2 += random() < 0.05 ? 1 : 0;
          n += 1;
        }
        const d = proportionDifference(x1, n, x2, n);
        const [lo, hi] = confidenceSequence(d.estimate, d.variance, 0.05, 1e-4);
        a ||= lo > 0 || hi < 0;
        const z = 1.959964 * Math.sqrt(d.variance);
        b ||= d.estimate - z > 0 || d.estimate + z < 0;
      }
      everMissed += Number(a);
      fixedMissed += Number(b);
    }
    expect(everMissed / sims).toBeLessThanOrEqual(0.05);
    expect(fixedMissed / sims).toBeGreaterThan(0.15);
  });
});

describe('the deployment record', () => {
  it('reads back what the statuses wrote, transition by transition', () => {
    const at = (m: number) => new Date(Date.UTC(2026, 10, 1, 10, m)).toISOString();
    const statuses = [
      { state: 'in_progress', description: describeStatus('start', 0, 4, 1, 'gate allowed'), createdAt: at(0) },
      {
        state: 'in_progress',
        description: describeStatus('advance', 1, 4, 10, 'canary within bounds'),
        createdAt: at(30),
      },
      {
        state: 'in_progress',
        description: describeStatus('hold', 1, 4, 10, 'metrics unreadable', { errors: 2 }),
        createdAt: at(45),
      },
      {
        state: 'in_progress',
        description: describeStatus('approve', 1, 4, 10, 'leaving 10% approved', { by: '@bob' }),
        createdAt: at(50),
      },
    ];
    expect(recordFrom(7, 'sha1', statuses)).toEqual({
      id: 7,
      release: 'sha1',
      stage: 1,
      stageStartedAt: new Date(at(30)),
      status: 'active',
      errors: 2,
      approvedStage: 1,
    });
    expect(recordFrom(7, 'sha1', statuses.slice(0, 3))).toMatchObject({
      stage: 1,
      errors: 2,
      approvedStage: undefined,
    });
    const paused = [
      ...statuses,
      { state: 'in_progress', description: describeStatus('pause', 1, 4, 10, 'canary regressed'), createdAt: at(55) },
    ];
    expect(recordFrom(7, 'sha1', paused).status).toBe('paused');
    const rolledBack = [
      ...statuses,
      { state: 'failure', description: describeStatus('rollback', 1, 4, 0, 'error_rate rose'), createdAt: at(60) },
    ];
    expect(recordFrom(7, 'sha1', rolledBack).status).toBe('rolled_back');
    expect(
      recordFrom(7, 'sha1', [
        ...statuses,
        { state: 'success', description: describeStatus('complete', 3, 4, 100, 'baked'), createdAt: at(90) },
      ]).status,
    ).toBe('complete');
  });

  it('keeps descriptions within GitHub’s 140 characters', () => {
    expect(describeStatus('hold', 2, 4, 50, 'x'.repeat(300), { errors: 12 })).toHaveLength(140);
  });
});
