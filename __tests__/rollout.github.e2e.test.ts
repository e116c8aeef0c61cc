import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagdPercent } from '../src/rollout/flags/flagd-document.js';
import { FakeGitHub, type Fault } from './support/fake-github.js';
import { runAction } from './support/runner.js';

const R1 = 'a1'.repeat(20);
const R2 = 'b2'.repeat(20);
const CONFIG = '.github/llm-release-gate.yml';
const FLAGS = 'flags/flags.json';
const CONTENTS = '/repos/{owner}/{repo}/contents/{path}';
const DEPLOYMENTS = '/repos/{owner}/{repo}/deployments';
const STATUSES = '/repos/{owner}/{repo}/deployments/{deployment_id}/statuses';

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
    generated_at: new Date().toISOString(),
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

/**
 * One run as a schedule runs it: GITHUB_SHA is the branch's newest commit, which after a step is the
 * rollout's own flag commit (`sha` pins it, as a push run would).
 */
function tick(gh: FakeGitHub, ws: string, sha?: string, command = 'rollout', actor = 'release-bot') {
  return runAction(
    { command, config: CONFIG, 'github-token': 'ghs_test', 'check-name': 'LLM release gate' },
    {},
    {
      GITHUB_WORKSPACE: ws,
      GITHUB_EVENT_NAME: 'schedule',
      GITHUB_SHA: sha ?? gh.head(),
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
    gh.commits.push({ sha: R1, message: 'feat: summarizer v2', files: ['src/summarize.ts'] });
  });
  /** A new release lands on main. */
  const land = (sha: string) => gh.commits.unshift({ sha, message: 'feat: next', files: ['src/summarize.ts'] });
  afterEach(async () => {
    expect(gh.violations).toEqual([]);
    await gh.stop();
  });

  it('starts on an allowed release, holds while baking, waits for an approver, advances, completes', async () => {
    const ws = workspace();
    const t1 = await tick(gh, ws);
    expect(t1.code).toBe(0);
    expect(t1.outputs).toMatchObject({ 'rollout-action': 'start', 'rollout-percent': '1' });
    expect(flag()).toBe(1);
    expect(JSON.parse(gh.branchFiles.get(`main:${FLAGS}`)!).flags.other.defaultVariant).toBe('on');
    expect(gh.deployments).toHaveLength(1);
    expect(gh.deployments[0]).toMatchObject({ sha: R1, environment: 'production', task: 'deploy:llm-release-gate' });
    expect(gh.deployments[0]!.statuses.map((s) => s.description)).toEqual([
      expect.stringMatching(/^stage 1\/3 · 1% · start: /),
    ]);
    // the flag commit is now main's newest commit: GITHUB_SHA on the next schedule, never a release
    expect(gh.head()).not.toBe(R1);
    expect(gh.commits[0]!.message).toMatch(/\n\nLlm-Release-Gate: rollout$/);

    // 10 minutes later: baking, healthy, no new status
    minutes(10);
    const t2 = await tick(gh, ws);
    expect(t2.outputs['rollout-action']).toBe('hold');
    expect(gh.deployments[0]!.statuses).toHaveLength(1);

    // past the bake: advance to 50%
    minutes(30);
    expect((await tick(gh, ws)).outputs).toMatchObject({ 'rollout-action': 'advance', 'rollout-percent': '50' });
    expect(flag()).toBe(50);

    // baked at 50%, but leaving it needs an approver: a stranger cannot promote, bob can
    minutes(61);
    expect((await tick(gh, ws)).summary).toMatch(/waits for an approval/);
    const refused = await tick(gh, ws, undefined, 'promote', 'mallory');
    expect(refused.code).toBe(1);
    expect(refused.stdout).toMatch(/@mallory is not in rollout.approvers/);
    const promoted = await tick(gh, ws, undefined, 'promote', 'bob');
    expect(promoted.outputs).toMatchObject({ 'rollout-action': 'advance', 'rollout-percent': '100' });
    expect(gh.deployments[0]!.statuses.map((s) => s.description)).toContainEqual(
      expect.stringMatching(/^stage 2\/3 · 50% · approve by @bob/),
    );

    minutes(61);
    expect((await tick(gh, ws)).outputs['rollout-action']).toBe('complete');
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'success' });
    expect((await tick(gh, ws)).outputs['rollout-action']).toBe('none');
    expect(gh.deployments).toHaveLength(1);
    expect(gh.commits.filter((c) => c.message.includes('Llm-Release-Gate: rollout'))).toHaveLength(3);
  });

  it('rolls back on a regression, @mentions the owner in one issue, and stays down', async () => {
    const ws = workspace();
    await tick(gh, ws);
    minutes(40);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    const r = await tick(gh, ws);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.title).toBe(`Rollback: summarizer ${R1.slice(0, 12)}`);
    expect(gh.issues[0]!.body).toMatch(/^@alice Rolled back/);
    expect(gh.issues[0]!.body).toMatch(/\| error\\_rate \| fail \|/);
    // GITHUB_SHA is now the rollback's flag commit: the release stays down, tick after tick
    for (let i = 0; i < 3; i++) {
      minutes(20);
      expect((await tick(gh, ws)).outputs['rollout-action']).toBe('none');
    }
    expect(flag()).toBe(0);
    expect(gh.deployments).toHaveLength(1);
    expect(gh.issues).toHaveLength(1);
  });

  it('a refused alert issue does not undo the rollback, and the next tick opens it', async () => {
    const ws = workspace();
    await tick(gh, ws);
    minutes(40);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/issues', status: 403, times: 1 });
    const r = await tick(gh, ws);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);
    expect(r.stdout).toMatch(/The alert could not be sent/);
    expect(gh.issues).toHaveLength(0);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/\(alert pending\)$/),
    });
    const next = await tick(gh, ws);
    expect(next.outputs['rollout-action']).toBe('none');
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toMatch(/^@alice Rolled back/);
    await tick(gh, ws);
    expect(gh.issues).toHaveLength(1);
  });

  it('a metric outage holds, counts against max_errors, then opens one issue; never a rollback on its own', async () => {
    const ws = workspace();
    await tick(gh, ws);
    writeFileSync(path.join(ws, 'telemetry.json'), '{"variants": {"canary": {"requests": 100}}}');
    for (const expected of [1, 2, 3]) {
      minutes(40);
      const r = await tick(gh, ws);
      expect(r.outputs['rollout-action']).toBe('hold');
      expect(gh.deployments[0]!.statuses.at(-1)!.description).toMatch(new RegExp(`· hold · errors ${expected}:`));
      if (expected === 3)
        expect(r.stdout).toMatch(/::warning::Rollout of .* is stuck: more than 2 ticks without usable metrics/);
    }
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toMatch(/^@alice Rollout of .* is stuck/);
    // a long outage writes no more statuses and no more issues
    const statuses = gh.deployments[0]!.statuses.length;
    for (let i = 0; i < 3; i++) {
      minutes(40);
      expect((await tick(gh, ws)).outputs['rollout-action']).toBe('hold');
    }
    expect(gh.deployments[0]!.statuses).toHaveLength(statuses);
    expect(gh.issues).toHaveLength(1);
    expect(flag()).toBe(1);
  });

  it('a hand-set flag holds with a warning; a newer release starts over once the flag is back', async () => {
    const ws = workspace();
    await tick(gh, ws);
    const doc = JSON.parse(gh.branchFiles.get(`main:${FLAGS}`)!);
    doc.flags['summarizer-v2'].targeting.fractional = [
      ['on', 20],
      ['off', 80],
    ];
    gh.branchFiles.set(`main:${FLAGS}`, JSON.stringify(doc));
    minutes(40);
    const held = await tick(gh, ws);
    expect(held.outputs).toMatchObject({ 'rollout-action': 'hold', 'rollout-percent': '20' });
    expect(held.stdout).toMatch(/::warning::The flag was changed outside the plan \(1%25 → 20%25\)/);
    expect(flag()).toBe(20);
    // the owner is told once
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toMatch(/^@alice The flag was changed outside the plan/);
    minutes(20);
    expect((await tick(gh, ws)).outputs['rollout-action']).toBe('hold');
    expect(gh.issues).toHaveLength(1);
    // A newer release does not start over a hand-set flag either; once it is set back, it does.
    land(R2);
    expect((await tick(gh, ws)).outputs['rollout-action']).toBe('hold');
    doc.flags['summarizer-v2'].targeting.fractional = [
      ['on', 1],
      ['off', 99],
    ];
    gh.branchFiles.set(`main:${FLAGS}`, JSON.stringify(doc));

    const next = await tick(gh, ws);
    expect(next.outputs).toMatchObject({ 'rollout-action': 'start', 'rollout-percent': '1' });
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'inactive' });
    expect(gh.deployments[1]).toMatchObject({ sha: R2 });
  });

  it('a release the gate blocked does not start', async () => {
    gh.commitChecks.set(R1, [{ name: 'LLM release gate', conclusion: 'failure' }]);
    const r = await tick(gh, workspace());
    expect(r.outputs['rollout-action']).toBe('none');
    expect(r.summary).toMatch(/blocked by the gate/);
    expect(gh.deployments).toHaveLength(0);
  });

  it('GitHub failing mid-tick: the tick holds and says why (not "a bug")', async () => {
    gh.fail({ method: 'GET', route: '/repos/{owner}/{repo}/deployments', status: 502 });
    const r = await tick(gh, workspace());
    expect(r.code).toBe(0);
    expect(r.outputs['rollout-action']).toBe('hold');
    expect(r.stdout).toMatch(/Rollout: hold: a service did not answer/);
    expect(r.stdout).not.toMatch(/a bug in the action/);
    expect(r.summary).toMatch(/\*\*hold\*\*/);
  });

  it('two ticks at once never step twice', async () => {
    const ws = workspace();
    const [a, b] = await Promise.all([tick(gh, ws), tick(gh, ws)]);
    expect([a.code, b.code]).toEqual([0, 0]);
    // one flag write (compare-and-set); the second run holds, or records the start the first one made
    expect(gh.commits.filter((c) => c.message.includes('Llm-Release-Gate: rollout'))).toHaveLength(1);
    expect(flag()).toBe(1);
    expect(gh.deployments.length).toBeGreaterThanOrEqual(1);
    expect(gh.deployments.every((d) => d.sha === R1)).toBe(true);
    minutes(10);
    expect((await tick(gh, ws)).outputs).toMatchObject({ 'rollout-action': 'hold', 'rollout-percent': '1' });
  });

  it('rollback is a kill switch', async () => {
    const ws = workspace();
    await tick(gh, ws);
    const r = await tick(gh, ws, undefined, 'rollback', 'alice');
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({
      state: 'failure',
      description: expect.stringMatching(/kill switch by @alice/),
    });
  });
  /** Ticks an hour apart (an approver promotes where asked) until the rollout completes. */
  async function driveToEnd(ws: string, maxTicks = 16): Promise<string[]> {
    const actions: string[] = [];
    for (let i = 0; i < maxTicks; i++) {
      minutes(61);
      const r = await tick(gh, ws);
      actions.push(r.outputs['rollout-action'] ?? `exit ${r.code}`);
      if (r.summary.includes('waits for an approval')) await tick(gh, ws, undefined, 'promote', 'bob');
      if (flag() === 100 && gh.deployments.at(-1)?.statuses.at(-1)?.state === 'success') break;
    }
    return actions;
  }

  it.each<[string, Fault]>([
    [
      'the first flag write answered 502 but applied',
      { method: 'PUT', route: CONTENTS, status: 502, applied: true, times: 1 },
    ],
    [
      'the second flag write answered 502 but applied',
      { method: 'PUT', route: CONTENTS, status: 502, applied: true, times: 1, after: 1 },
    ],
    [
      'the last flag write answered 502 but applied',
      { method: 'PUT', route: CONTENTS, status: 502, applied: true, times: 1, after: 2 },
    ],
    ['creating the deployment failed', { method: 'POST', route: DEPLOYMENTS, status: 503, times: 1 }],
    [
      'creating the deployment answered 502 but applied',
      { method: 'POST', route: DEPLOYMENTS, status: 502, applied: true, times: 1 },
    ],
    ...[0, 1, 2, 3, 4].map((after): [string, Fault] => [
      `status write ${after + 1} failed`,
      { method: 'POST', route: STATUSES, status: 502, times: 1, after },
    ]),
    [
      'the first status answered 502 but applied',
      { method: 'POST', route: STATUSES, status: 502, applied: true, times: 1 },
    ],
  ])('no single failed write leaves the rollout stuck: %s', async (_, fault) => {
    const ws = workspace();
    gh.fail(fault);
    const actions = await driveToEnd(ws);
    expect(flag()).toBe(100);
    expect(gh.deployments).toHaveLength(1);
    expect(gh.deployments[0]!.sha).toBe(R1);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'success' });
    expect(actions).not.toContain('rollback');
    expect(actions.length).toBeLessThanOrEqual(10);
  });

  it('the kill switch fails loudly when the flag cannot be set: no output or summary claims a rollback', async () => {
    const ws = workspace();
    await tick(gh, ws);
    gh.fail({ method: 'GET', route: CONTENTS, status: 403 });
    const kill = await tick(gh, ws, undefined, 'rollback', 'alice');
    expect(kill.code).toBe(1);
    expect(kill.stdout).toMatch(
      /Rollback failed: flagd file flags\/flags.json on main, flag summarizer-v2 could not be set to 0%/,
    );
    expect(kill.outputs).toMatchObject({ 'rollout-action': 'none', 'rollout-percent': '' });
    expect(kill.stdout).toMatch(/a service did not answer as expected/);
    expect(kill.stdout).not.toMatch(/a bug in the action/);
    expect(kill.summary).not.toMatch(/set to 0%|\*\*rollback\*\*/);
    expect(flag()).toBe(1);
    expect(gh.deployments[0]!.statuses.at(-1)!.state).toBe('in_progress');
    expect(gh.issues).toHaveLength(0);
  });

  it('reads the whole record, past GitHub’s 100 statuses a page', async () => {
    const ws = workspace();
    await tick(gh, ws);
    // an old outage left 150 statuses after the start (as an older version wrote them)
    const d = gh.deployments[0]!;
    for (let i = 0; i < 150; i++)
      d.statuses.push({
        state: 'in_progress',
        description: `stage 1/3 · 1% · hold · errors ${(i % 2) + 1}: the metrics could not be read`,
        created_at: new Date().toISOString(),
      });
    d.statuses.push({
      state: 'in_progress',
      description: 'stage 1/3 · 1% · hold: recovered',
      created_at: new Date().toISOString(),
    });
    minutes(40);
    const r = await tick(gh, ws);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'advance', 'rollout-percent': '50' });
  });

  it('on_regression: pause holds and opens one issue; promote by an approver resumes', async () => {
    const ws = workspace();
    writeFileSync(
      path.join(ws, CONFIG),
      config.replace('approvers: ["@bob"]', 'approvers: ["@bob"]\n  on_regression: pause'),
    );
    await tick(gh, ws);
    minutes(40);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    const paused = await tick(gh, ws);
    expect(paused.outputs).toMatchObject({ 'rollout-action': 'hold', 'rollout-percent': '1' });
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toMatch(/^@alice Rollout of .* paused at 1%/);
    minutes(20);
    expect((await tick(gh, ws)).outputs['rollout-action']).toBe('hold');
    expect(gh.issues).toHaveLength(1);
    const resumed = await tick(gh, ws, undefined, 'promote', 'bob');
    expect(resumed.outputs).toMatchObject({ 'rollout-action': 'advance', 'rollout-percent': '50' });
    expect(flag()).toBe(50);
  });
  it('the kill switch works while a deployment has no status yet, and with the Deployments API down', async () => {
    const ws = workspace();
    gh.fail({ method: 'POST', route: STATUSES, status: 502, times: 1 });
    await tick(gh, ws);
    expect(flag()).toBe(1);
    const kill = await tick(gh, ws, undefined, 'rollback', 'alice');
    expect(kill.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(flag()).toBe(0);

    const gh2 = gh;
    gh2.branchFiles.set(`main:${FLAGS}`, JSON.stringify({ flags: {} }));
    minutes(30);
    await tick(gh, ws, undefined, 'rollout');
    gh.fail({ method: 'GET', route: DEPLOYMENTS, status: 502 });
    const down = await tick(gh, ws, undefined, 'rollback', 'alice');
    expect(down.code).toBe(0);
    expect(down.outputs['rollout-action']).toBe('rollback');
    expect(flag()).toBe(0);
    expect(down.summary).toMatch(/the rollout record could not be read/);
  });

  it('a newer release the gate blocked does not stop the watch: the live rollout still rolls back', async () => {
    const ws = workspace();
    await tick(gh, ws);
    minutes(40);
    gh.commitChecks.set(R2, [{ name: 'LLM release gate', conclusion: 'failure' }]);
    land(R2);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    const r = await tick(gh, ws);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(r.stdout).toMatch(/Release b2b2b2b2b2b2 was blocked by the gate: the rollout of a1a1a1a1a1a1 goes on/);
    expect(gh.deployments).toHaveLength(1);
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'failure' });
  });

  it('a record write failing after the flag moved: the outputs say what happened, and the owner hears once', async () => {
    const ws = workspace();
    await tick(gh, ws);
    minutes(40);
    writeFileSync(path.join(ws, 'telemetry.json'), metrics(900));
    gh.fail({ method: 'POST', route: STATUSES, status: 502, times: 1 });
    const r = await tick(gh, ws);
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({ 'rollout-action': 'rollback', 'rollout-percent': '0' });
    expect(r.stdout).toMatch(/The flag is at 0%25, but recording the step failed/);
    expect(flag()).toBe(0);
    expect(gh.issues).toHaveLength(1);
    // the next tick records the rollback it finds, and adds to the same issue
    const next = await tick(gh, ws);
    expect(next.outputs['rollout-action']).toBe('rollback');
    expect(gh.deployments[0]!.statuses.at(-1)).toMatchObject({ state: 'failure' });
    expect(gh.issues).toHaveLength(1);
    expect(gh.issueComments.filter((c) => c.issue === 1)).toHaveLength(1);
    expect((await tick(gh, ws)).outputs['rollout-action']).toBe('none');
  });

  it('an outage alert GitHub refused is sent by the next tick', async () => {
    const ws = workspace();
    await tick(gh, ws);
    writeFileSync(path.join(ws, 'telemetry.json'), '{"variants": {"canary": {"requests": 100}}}');
    gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/issues', status: 403, times: 1 });
    for (let i = 0; i < 4; i++) {
      minutes(40);
      await tick(gh, ws);
    }
    expect(gh.issues).toHaveLength(1);
    expect(gh.issues[0]!.body).toMatch(/is stuck/);
  });
});
