import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagdPercent } from '../src/rollout/flags/flagd-document.js';
import { FakeGitHub } from './support/fake-github.js';
import { runAction } from './support/runner.js';

const R1 = 'a1'.repeat(20);
const R2 = 'b2'.repeat(20);
const CONFIG = '.github/llm-release-gate.yml';
const FLAGS = 'flags/flags.json';

const config = `version: 1
service: summarizer
owner: { name: "@alice", oncall: "https://pager.example/P1" }
risk: { tier: low, bad_output_cost: "low" }
evals:
  results: evals/results.jsonl
  metrics: [{ name: pass_rate, min: 0.5 }]
deploy: { model: gpt-4o-2024-08-06, workflow: deploy.yml }
rollout:
  environment: production
  flag: { provider: flagd-file, key: summarizer-v2, path: ${FLAGS} }
  stages:
    - { percent: 1, min_duration: 30m, min_samples: 200 }
    - { percent: 50, min_duration: 1h, approval: true }
    - { percent: 100, min_duration: 1h }
  analysis:
    source: { provider: file, path: telemetry.json }
    metrics: [{ name: error_rate, max_increase: 0.01 }]
    max_errors: 2
  approvers: ["@bob"]
`;

function metrics(canaryErrors: number): string {
  return JSON.stringify({
    variants: {
      canary: { requests: 20_000, counts: { error: canaryErrors }, means: {} },
      control: { requests: 200_000, counts: { error: 2_000 }, means: {} },
    },
  });
}

function workspace(): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-rws-'));
  mkdirSync(path.join(dir, '.github'), { recursive: true });
  mkdirSync(path.join(dir, 'evals'));
  writeFileSync(path.join(dir, CONFIG), config);
  writeFileSync(path.join(dir, 'deploy.yml'), 'on: push\n');
  writeFileSync(
    path.join(dir, 'evals/results.jsonl'),
    Array.from({ length: 50 }, (_, i) => JSON.stringify({ id: `c${i}`, pass: true })).join('\n'),
  );
  writeFileSync(path.join(dir, 'telemetry.json'), metrics(200));
  return dir;
}

function tick(gh: FakeGitHub, ws: string, release: string, command = 'rollout', actor = 'release-bot') {
  return runAction(
    { command, config: CONFIG, 'github-token': 'ghs_test', 'check-name': 'LLM release gate' },
    {},
    {
      GITHUB_WORKSPACE: ws,
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_SHA: release,
      GITHUB_REF_NAME: 'main',
      GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
      GITHUB_API_URL: gh.url,
      GITHUB_ACTOR: actor,
    },
  );
}

describe('rollout ticks against a loopback GitHub API', () => {
  let gh: FakeGitHub;
  const flag = () => flagdPercent(JSON.parse(gh.branchFiles.get(`main:${FLAGS}`) ?? '{"flags":{}}'), 'summarizer-v2');
  const minutes = (m: number) => gh.age(m);

  beforeEach(async () => {
    gh = new FakeGitHub();
    await gh.start();
    gh.branchFiles.set(
      `main:${FLAGS}`,
      JSON.stringify({
        flags: { other: { state: 'ENABLED', variants: { on: true, off: false }, defaultVariant: 'on' } },
      }),
    );
    gh.commitChecks.set(R1, [{ name: 'LLM release gate', conclusion: 'success' }]);
    gh.commitChecks.set(R2, [{ name: 'LLM release gate', conclusion: 'success' }]);
  });
  afterEach(async () => {
    expect(gh.violations).toEqual([]);
    await gh.stop();
  });

  it('starts on an allowed release, holds while baking, waits for an approver, advances, completes', async () => {
    const ws = workspace();
    const t1 = await tick(gh, ws, R1);
    expect(t1.code).toBe(0);
    expect(t1.outputs).toMatchObject({ 'rollout-action': 'start', 'rollout-percent': '1' });
    expect(flag()).toBe(1);
    expect(JSON.parse(gh.branchFiles.get(`main:${FLAGS}`)!).flags.other.defaultVariant).toBe('on');
    expect(gh.deployments).toHaveLength(1);
    expect(gh.deployments[0]).toMatchObject({ sha: R1, environment: 'production', task: 'deploy:llm-release-gate' });
    expect(gh.deployments[0]!.statuses.map((s) => s.description)).toEqual([
      expect.stringMatching(/^stage 1\/3 · 1% · start: /),
    ]);

    // 10 minutes later: baking, healthy, no new status
    minutes(10);
    const t2 = await tick(gh, ws, R1);
    expect(t2.outputs['rollout-action']).toBe('hold');
    expect(gh.deployments[0]!.statuses).toHaveLength(1);

    // past the bake: advance to 50%
    minutes(30);
    expect((await tick(gh, ws, R1)).outputs).toMatchObject({ 'rollout-action': 'advance', 'rollout-percent': '50' });
    expect(flag()).toBe(50);

    // baked at 50%, but leaving it needs an approver: a stranger cannot promote, bob can
    minutes(61);
    expect((await tick(gh, ws, R1)).summary).toMatch(/waits for an approval/);
    const refused = await tick(gh, ws, R1, 'promote', 'mallory');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/@mallory is not in rollout.approvers/);
    const promoted = await tick(gh, ws, R1, 'promote', 'bob');
    expect(promoted.outputs).toMatchObject({ 'rollout-action': 'advance', 'rollout-percent': '100' });
    expect(gh.deployments[0]!.statuses.map((s) => s.description)).toContainEqual(
      expect.stringMatching(/^stage 2\/3 · 50% · approve by @bob/),
    );

    minutes(61);
    expect((await tick(gh, ws, R1)).outputs['rollout-action']).toBe('complete');
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'success' });
    expect((await tick(gh, ws, R1)).outputs['rollout-action']).toBe('none');
  });

  it('rolls back on a regression, @mentions the owner in one issue, and stays down', async () => {
    const ws = workspace();
    await tick(gh, ws, R1);
    minutes(40);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    const r = await tick(gh, ws, R1);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.title).toBe(`Rollback: summarizer ${R1.slice(0, 12)}`);
    expect(gh.issues[0]!.body).toMatch(/^@alice Rolled back/);
    expect(gh.issues[0]!.body).toMatch(/\| error_rate \| fail \|/);
    expect((await tick(gh, ws, R1)).outputs['rollout-action']).toBe('none');
    expect(gh.issues).toHaveLength(1);
  });

  it('a refused alert issue does not undo the rollback, and the next tick opens it', async () => {
    const ws = workspace();
    await tick(gh, ws, R1);
    minutes(40);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/issues', status: 403, times: 1 });
    const r = await tick(gh, ws, R1);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);
    expect(r.stdout).toMatch(/The alert issue could not be opened/);
    expect(gh.issues).toHaveLength(0);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/\(alert pending\)$/),
    });
    const next = await tick(gh, ws, R1);
    expect(next.outputs['rollout-action']).toBe('none');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toMatch(/^@alice Rolled back/);
    await tick(gh, ws, R1);
    expect(gh.issues).toHaveLength(1);
  });

  it('a metric outage holds, counts against max_errors, then alerts; never a rollback on its own', async () => {
    const ws = workspace();
    await tick(gh, ws, R1);
    writeFileSync(path.join(ws, 'telemetry.json'), '{"variants": {"canary": {"requests": 100}}}');
    for (const expected of [1, 2, 3]) {
      minutes(40);
      const r = await tick(gh, ws, R1);
      expect(r.outputs['rollout-action']).toBe('hold');
      expect(gh.deployments[0]!.statuses.at(-1)!.description).toMatch(new RegExp(`· hold · errors ${expected}:`));
      if (expected === 3) expect(r.stdout).toMatch(/::warning::Rollout of .* is stuck: 3 ticks without usable metrics/);
    }
    expect(flag()).toBe(1);
    expect(gh.issues).toHaveLength(0);
  });

  it('a hand-set flag holds with a warning; a newer release starts over once the flag is back', async () => {
    const ws = workspace();
    await tick(gh, ws, R1);
    const doc = JSON.parse(gh.branchFiles.get(`main:${FLAGS}`)!);
    doc.flags['summarizer-v2'].targeting.fractional = [
      ['on', 20],
      ['off', 80],
    ];
    gh.branchFiles.set(`main:${FLAGS}`, JSON.stringify(doc));
    minutes(40);
    const held = await tick(gh, ws, R1);
    expect(held.outputs).toMatchObject({ 'rollout-action': 'hold', 'rollout-percent': '20' });
    expect(held.stdout).toMatch(/::warning::The flag was changed outside the plan \(1%25 → 20%25\)/);
    expect(flag()).toBe(20);
    // A newer release does not start over a hand-set flag either; once it is set back, it does.
    expect((await tick(gh, ws, R2)).outputs['rollout-action']).toBe('hold');
    doc.flags['summarizer-v2'].targeting.fractional = [
      ['on', 1],
      ['off', 99],
    ];
    gh.branchFiles.set(`main:${FLAGS}`, JSON.stringify(doc));

    const next = await tick(gh, ws, R2);
    expect(next.outputs).toMatchObject({ 'rollout-action': 'start', 'rollout-percent': '1' });
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'inactive' });
    expect(gh.deployments[1]).toMatchObject({ sha: R2 });
  });

  it('a release the gate blocked does not start', async () => {
    gh.commitChecks.set(R1, [{ name: 'LLM release gate', conclusion: 'failure' }]);
    const r = await tick(gh, workspace(), R1);
    expect(r.outputs['rollout-action']).toBe('none');
    expect(r.summary).toMatch(/blocked by the gate/);
    expect(gh.deployments).toHaveLength(0);
  });

  it('GitHub failing mid-tick: the tick holds and says why (not "a bug"); the kill switch fails loudly', async () => {
    gh.fail({ method: 'GET', route: '/repos/{owner}/{repo}/deployments', status: 502 });
    const r = await tick(gh, workspace(), R1);
    expect(r.code).toBe(0);
    expect(r.outputs['rollout-action']).toBe('hold');
    expect(r.stdout).toMatch(/Rollout: hold: a service did not answer/);
    expect(r.stdout).not.toMatch(/a bug in the action/);
    expect(r.summary).toMatch(/\*\*hold\*\*/);
    const kill = await tick(gh, workspace(), R1, 'rollback');
    expect(kill.code).toBe(1);
    expect(kill.stdout).toMatch(/a service did not answer as expected/);
    expect(kill.stdout).not.toMatch(/a bug in the action/);
  });

  it('two ticks at once never step twice', async () => {
    const ws = workspace();
    const [a, b] = await Promise.all([tick(gh, ws, R1), tick(gh, ws, R1)]);
    const actions = [a.outputs['rollout-action'], b.outputs['rollout-action']].sort();
    expect(actions).toEqual(['hold', 'start']);
    expect(gh.deployments).toHaveLength(1);
    expect(flag()).toBe(1);
  });

  it('rollback is a kill switch', async () => {
    const ws = workspace();
    await tick(gh, ws, R1);
    const r = await tick(gh, ws, R1, 'rollback', 'alice');
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/kill switch by @alice/),
    });
  });
});
