import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { FakeGitHub } from './support/fake-github.js';
import { runAction } from './support/runner.js';

const HEAD = '1111111111111111111111111111111111111111';
const BASE = '2222222222222222222222222222222222222222';
const MERGE = '3333333333333333333333333333333333333333';
const CONFIG = '.github/llm-release-gate.yml';

const config = (min: number, evalsExtra = '') => `version: 1
service: summarizer
owner: { name: "@alice", oncall: "https://pager.example/P1" }
risk: { tier: high, bad_output_cost: "a wrong refund" }
evals:
  results: evals/results.jsonl${evalsExtra}
  metrics:
    - { name: pass_rate, min: ${min}, max_drop: 0.05 }
deploy: { model: gpt-4o-2024-08-06, workflow: .github/workflows/deploy.yml }
observability: { tracing: langfuse }
guardrails:
  checks: [{ name: error_rate, max: 0.5 }]
  human_approval: { environment: production }
cost: { requests_per_day: 1000, monthly_budget_usd: 1000 }
`;

/** A checkout: the PR's config (loosened to min 0.5), a deploy workflow, and results with `fails` failures of 200. */
function workspace(fails: number): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-ws-'));
  mkdirSync(path.join(dir, '.github/workflows'), { recursive: true });
  mkdirSync(path.join(dir, 'evals'));
  writeFileSync(path.join(dir, CONFIG), config(0.5));
  writeFileSync(path.join(dir, '.github/workflows/deploy.yml'), 'on: workflow_dispatch\n');
  const lines = Array.from({ length: 200 }, (_, i) =>
    JSON.stringify({ id: `case-${i}`, pass: i >= fails, cost_usd: 0.001, error: null }),
  );
  writeFileSync(path.join(dir, 'evals/results.jsonl'), `${lines.join('\n')}\n`);
  return dir;
}

/** The action against the fake: its API URL, a token, and the inputs every test shares. */
function runIn(
  gh: FakeGitHub,
  ws: string,
  eventName: string,
  event: object,
  inputs: Record<string, string> = {},
  env: Record<string, string> = {},
) {
  const all = {
    config: CONFIG,
    'github-token': 'ghs_test',
    'check-name': 'LLM release gate',
    comment: 'true',
    'fail-on-block': 'true',
    'config-source': 'base',
    command: 'gate',
    ...inputs,
  };
  return runAction(all, event, {
    GITHUB_WORKSPACE: ws,
    GITHUB_EVENT_NAME: eventName,
    GITHUB_SHA: eventName === 'pull_request' ? MERGE : HEAD,
    GITHUB_REPOSITORY: `${gh.owner}/${gh.repo}`,
    GITHUB_API_URL: gh.url,
    GITHUB_SERVER_URL: 'https://github.com',
    GITHUB_RUN_ID: '42',
    ...env,
  });
}

const pullRequest = (fork = false) => ({
  pull_request: {
    number: 7,
    head: { sha: HEAD, repo: { full_name: fork ? 'mallory/support' : 'acme/support' } },
    base: { sha: BASE, repo: { full_name: 'acme/support' } },
  },
});

describe('the action against a loopback GitHub API', () => {
  let gh: FakeGitHub;
  beforeEach(async () => {
    gh = new FakeGitHub();
    await gh.start();
    gh.files.set(`${BASE}:${CONFIG}`, config(0.9));
    gh.files.set(`${HEAD}:.github/workflows/deploy.yml`, 'on: workflow_dispatch\n');
    gh.owners.set('alice', 'User');
    gh.environments.set('production', 1);
  });
  afterEach(async () => {
    expect(gh.violations).toEqual([]);
    await gh.stop();
  });

  it('pull request: check on the head SHA, the base branch config wins, one sticky comment updated in place', async () => {
    const ws = workspace(40);
    const first = await runIn(gh, ws, 'pull_request', pullRequest());
    expect(first.code).toBe(1);
    expect(first.outputs.decision).toBe('block');
    const [run] = [...gh.checkRuns.values()];
    expect(run).toMatchObject({ head_sha: HEAD, name: 'LLM release gate', status: 'completed', conclusion: 'failure' });
    expect((run!.output as { summary: string }).summary).toMatch(
      /The base branch's config was used: a pull request cannot loosen its own gate/,
    );
    expect((run!.output as { summary: string }).summary).toMatch(/evals\.metrics\.0\.min \(0\.9 → 0\.5\)/);
    expect(run!.annotations).toContainEqual(
      expect.objectContaining({ path: CONFIG, annotation_level: 'failure', title: 'pass_rate: fail' }),
    );
    expect(first.outputs['check-run-url']).toBe(run!.html_url);
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toMatch(
      /^<!-- llm-release-gate:LLM release gate -->\n## ⛔ LLM release gate: \*\*block\*\*/,
    );
    expect(first.outputs['comment-url']).toMatch(/#issuecomment-\d+$/);
    // facts confirmed through the API
    expect(first.summary).toMatch(/owner @\u2060alice, a person \(confirmed through the GitHub API\)/);
    expect(first.summary).toMatch(/environment production requires reviewers \(1\)/);
    // the budget (README): 6 + ⌈annotations / 50⌉ requests at most; measured here (the base config and comments are read
    // before the facts the config in use asks)
    const budget = 5 + Math.ceil(run!.annotations.length / 50);
    expect(gh.requests.length).toBeLessThanOrEqual(budget);
    expect(first.stdout).toMatch(new RegExp(`GitHub API requests: ${gh.requests.length}`));
    // no workflow-command annotations when the check run carries them
    expect(first.stdout).not.toMatch(/::error title=pass_rate/);
    expect(first.stdout).not.toMatch(/::warning/);

    // A second run with other results updates the same comment.
    writeFileSync(
      path.join(ws, 'evals/results.jsonl'),
      Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `case-${i}`, pass: i >= 5, cost_usd: 0.001 })).join(
        '\n',
      ),
    );
    const before = gh.requests.length;
    const second = await runIn(gh, ws, 'pull_request', pullRequest());
    expect(second.outputs.decision).toBe('allow');
    expect(gh.comments).toHaveLength(1);
    expect(gh.comments[0]!.body).toMatch(/## ✅ LLM release gate: \*\*allow\*\*/);
    expect(gh.requests.slice(before).map((r) => `${r.method} ${r.route}`)).toEqual([
      'POST /repos/{owner}/{repo}/check-runs',
      'POST graphql',
      'POST graphql',
      'PATCH /repos/{owner}/{repo}/check-runs/{check_run_id}',
      'PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}',
    ]);
    // a third, identical run leaves the comment alone
    const mid = gh.requests.length;
    await runIn(gh, ws, 'pull_request', pullRequest());
    expect(gh.requests.slice(mid).some((r) => r.route.includes('comments'))).toBe(false);
  });

  it('push: the check on the pushed SHA, the local config, no comment', async () => {
    const r = await runIn(gh, workspace(5), 'push', {});
    expect(r.code).toBe(0);
    expect([...gh.checkRuns.values()][0]).toMatchObject({ head_sha: HEAD, conclusion: 'success' });
    expect(gh.comments).toHaveLength(0);
    expect(gh.requests.map((x) => x.route)).toEqual([
      '/repos/{owner}/{repo}/check-runs',
      'graphql',
      '/repos/{owner}/{repo}/check-runs/{check_run_id}',
    ]);
  });

  it('fork: a read-only token degrades to summary and annotations, with a notice; the verdict still decides', async () => {
    gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/check-runs', status: 403 });
    const r = await runIn(gh, workspace(40), 'pull_request', pullRequest(true));
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(
      /::notice::llm-release-gate could not create the check run: a pull request from a fork gets a read-only token/,
    );
    expect(r.stdout).toMatch(/::error title=pass_rate%3A fail,file=\.github\/llm-release-gate.yml,line=\d+::/);
    expect(r.summary).toMatch(/Reported in the job summary only: a pull request from a fork gets a read-only token/);
    expect(gh.count('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(0);
  });

  it('facts GitHub could not answer are unknown, and unknown blocks where the bar blocks (never a pass)', async () => {
    // A 5xx is retried (see the contract test); here the read fails for good, and so does the write.
    gh.fail({ method: 'POST', route: 'graphql', status: 403 });
    gh.fail({ method: 'PATCH', route: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: 422 });
    const r = await runIn(gh, workspace(5), 'push', {});
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.summary).toMatch(
      /the required reviewers of environment production could not be checked: GitHub did not answer \(HTTP 403\)/,
    );
    expect(r.summary).toMatch(/Re-run the job/);
    expect(r.stdout).toMatch(/::warning::llm-release-gate could not read from the GitHub API/);
  });

  it('an organisation as owner, and an environment without reviewers, fail their bars', async () => {
    gh.owners.set('alice', 'Organization');
    gh.environments.set('production', 0);
    const r = await runIn(gh, workspace(5), 'push', {});
    expect(r.outputs.decision).toBe('block');
    expect(r.summary).toMatch(/owner.name @\u2060alice is an organisation: name one person/);
    expect(r.summary).toMatch(/environment production has no required reviewers/);
  });

  it('reads a { ref, path } baseline through the API in the same single query', async () => {
    const ws = workspace(5);
    const extra = '\n  baseline: { ref: main, path: evals/baseline.jsonl }';
    writeFileSync(path.join(ws, CONFIG), config(0.5, extra));
    gh.files.set(`${BASE}:${CONFIG}`, config(0.5, extra));
    gh.files.set(
      'main:evals/baseline.jsonl',
      Array.from({ length: 200 }, (_, i) => JSON.stringify({ id: `case-${i}`, pass: i >= 2 })).join('\n'),
    );
    const r = await runIn(gh, ws, 'pull_request', pullRequest());
    expect(r.outputs.decision).toBe('allow');
    expect(r.summary).toMatch(/200 cases paired with main:evals\/baseline\.jsonl/);
    expect(r.summary).toMatch(/99% → 97\.5%/);
    // the base config and comments first, then the facts and the baseline the config in use names
    expect(gh.count('POST', 'graphql')).toBe(2);
  });

  it('comment: false keeps the pull request quiet', async () => {
    await runIn(gh, workspace(5), 'pull_request', pullRequest(), { comment: 'false' });
    expect(gh.comments).toHaveLength(0);
  });

  describe('a pull request that loosens its own gate stays blocked when GitHub answers with a fault', () => {
    it.each([
      [
        'FORBIDDEN on the environment',
        'environment',
        'FORBIDDEN',
        /required reviewers of environment production could not be checked: GitHub answered FORBIDDEN/,
      ],
      [
        'FORBIDDEN on the owner',
        'repositoryOwner',
        'FORBIDDEN',
        /owner.name @\u2060alice is a person could not be checked/,
      ],
      [
        'RATE_LIMITED on the repository',
        'repository',
        'RATE_LIMITED',
        /base branch's .* could not be read \(GitHub did not answer: .*Rate Limit/i,
      ],
      ['NOT_FOUND on the pull request', 'pullRequest', 'NOT_FOUND', /evals\.metrics\.0\.min \(0\.9 → 0\.5\)/],
    ])('%s', async (_what, field, type, message) => {
      gh.graphqlErrors.set(field, { type, message: `${type} on ${field}` });
      const r = await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(r.outputs.decision).toBe('block');
      expect(r.code).toBe(1);
      expect(r.summary).toMatch(message);
      const [run] = [...gh.checkRuns.values()];
      expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    });

    it.each([
      ['an empty repository', { repository: {} }],
      ['a null repository without errors', { repository: null }],
      ['a file that is not a blob', { repository: { file: {}, pullRequest: null } }],
      ['a blob without text', { repository: { file: { text: null, isTruncated: false } } }],
    ])('a base-config answer with %s is unknown, never "no config yet"', async (_what, data) => {
      gh.graphqlBody = { data };
      const r = await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(r.outputs.decision).toBe('block');
      expect(r.summary).toMatch(/base branch's .* could not be read/);
    });

    it('NOT_FOUND on the environment means it does not exist (a finding, not a pass)', async () => {
      gh.graphqlErrors.set('environment', { type: 'NOT_FOUND', message: 'Could not resolve to an Environment' });
      const r = await runIn(gh, workspace(0), 'pull_request', pullRequest());
      expect(r.outputs.decision).toBe('block');
      expect(r.summary).toMatch(/environment production does not exist/);
    });

    it('HTTP 502 on every GraphQL request: the base config cannot be read, so it blocks (never the PR’s copy)', async () => {
      gh.fail({ method: 'POST', route: 'graphql', status: 502 });
      const r = await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(r.outputs.decision).toBe('block');
      expect(r.code).toBe(1);
      expect(r.summary).toMatch(/could not be read .*A pull request cannot be judged by its own copy of the config/);
      // the comments were read through REST instead: one sticky comment, saying block
      expect(gh.comments).toHaveLength(1);
      expect(gh.comments[0]!.body).toMatch(/\*\*block\*\*/);
    });

    it('a failed second page of comments: no second sticky comment', async () => {
      for (let i = 0; i < 120; i++) gh.comments.push({ id: 1000 + i, body: `note ${i}`, mine: false });
      gh.comments.push({ id: 5000, body: '<!-- llm-release-gate:LLM release gate -->\nold', mine: true });
      gh.graphqlErrors.set('comments-page-2', { type: 'INTERNAL', message: 'Something went wrong' });
      const r = await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(r.outputs.decision).toBe('block');
      // REST cannot tell whose the marked comment is: nothing is created and nothing edited
      expect(gh.comments.filter((c) => c.mine)).toHaveLength(1);
      expect(gh.comments.find((c) => c.id === 5000)!.body).toMatch(/old$/);
    });
  });

  describe('no fault holds the run past its deadline, and the check always ends', () => {
    const fast = { 'api-timeout': '2', 'api-deadline': '8' };
    const timed = async (f: () => Promise<Awaited<ReturnType<typeof runIn>>>) => {
      const t0 = Date.now();
      const r = await f();
      return { ...r, seconds: (Date.now() - t0) / 1000 };
    };

    it.each(['hang', 'trickle'] as const)(
      'GraphQL that %ss: blocked within the deadline, check completed',
      async (mode) => {
        gh.fail({ method: 'POST', route: 'graphql', status: 200, mode });
        const r = await timed(() => runIn(gh, workspace(40), 'pull_request', pullRequest(), fast));
        expect(r.seconds).toBeLessThan(20);
        expect(r.outputs.decision).toBe('block');
        expect(r.code).toBe(1);
        expect(r.summary).toMatch(/base branch.s .* could not be read/);
        expect([...gh.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
        // the comments were read through REST; at most one sticky comment, and it says block
        expect(gh.comments.length).toBeLessThanOrEqual(1);
        for (const c of gh.comments) expect(c.body).toMatch(/\*\*block\*\*/);
      },
    );

    it('429 with retry-after: waited as asked (not 1/4/9 s), then done', async () => {
      gh.fail({
        method: 'POST',
        route: '/repos/{owner}/{repo}/check-runs',
        status: 429,
        headers: { 'retry-after': '2' },
        times: 1,
      });
      const r = await timed(() => runIn(gh, workspace(5), 'push', {}));
      expect(gh.count('POST', '/repos/{owner}/{repo}/check-runs')).toBe(2);
      expect(r.seconds).toBeGreaterThanOrEqual(2);
      expect(r.outputs.decision).toBe('allow');
      expect([...gh.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    });

    it('a rate limit that resets in an hour is not waited out: the run degrades at once', async () => {
      const reset = String(Math.floor(Date.now() / 1000) + 3600);
      gh.fail({
        method: 'POST',
        route: '/repos/{owner}/{repo}/check-runs',
        status: 403,
        headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': reset },
      });
      const r = await timed(() => runIn(gh, workspace(5), 'push', {}, fast));
      expect(r.seconds).toBeLessThan(15);
      expect(r.outputs.decision).toBe('allow');
      expect(r.stdout).toMatch(/rate-limited/);
      expect(r.stdout).not.toMatch(/grant checks: write/);
    });

    it('completing with annotations refused: completed with the conclusion alone, annotations as workflow commands', async () => {
      gh.fail({ method: 'PATCH', route: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: 422, times: 1 });
      const r = await runIn(gh, workspace(150), 'push', {});
      expect([...gh.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(r.stdout).toMatch(/::error title=pass_rate%3A fail/);
    });

    it('a check created whose answer was lost is found again and completed (never two, never left pending)', async () => {
      gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/check-runs', status: 502, times: 1, applied: true });
      const r = await runIn(gh, workspace(5), 'push', {});
      expect(r.outputs.decision).toBe('allow');
      expect([...gh.checkRuns.values()]).toHaveLength(1);
      expect([...gh.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'success' });
    });

    it('the last completion survives a 5xx past the deadline', async () => {
      gh.fail({ method: 'POST', route: 'graphql', status: 200, mode: 'hang' });
      gh.fail({ method: 'PATCH', route: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: 502, times: 2 });
      await runIn(gh, workspace(40), 'pull_request', pullRequest(), fast);
      expect([...gh.checkRuns.values()][0]).toMatchObject({ status: 'completed', conclusion: 'failure' });
    });

    it('a completion that hangs is cut: the run ends near its deadline, not when the socket closes', async () => {
      gh.fail({ method: 'PATCH', route: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: 200, mode: 'hang' });
      const r = await timed(() => runIn(gh, workspace(40), 'pull_request', pullRequest(), fast));
      expect(r.seconds).toBeLessThan(40);
      expect(r.outputs.decision).toBe('block');
    });

    it('five 5xx on completing the check: still completed', async () => {
      gh.fail({ method: 'PATCH', route: '/repos/{owner}/{repo}/check-runs/{check_run_id}', status: 502, times: 5 });
      await runIn(gh, workspace(40), 'push', {}, fast);
      expect([...gh.checkRuns.values()][0]).toMatchObject({ status: 'completed' });
    });

    it("a re-run ends the earlier attempt's check that was left in progress", async () => {
      await runIn(gh, workspace(5), 'push', {});
      const [first] = [...gh.checkRuns.values()];
      Object.assign(first!, { status: 'in_progress', conclusion: undefined });
      await runIn(gh, workspace(5), 'push', {}, {}, { GITHUB_RUN_ATTEMPT: '2' });
      expect(first).toMatchObject({ status: 'completed', conclusion: 'cancelled' });
      expect([...gh.checkRuns.values()].filter((c) => c.status !== 'completed')).toHaveLength(0);
    });
  });

  describe('one sticky comment, always', () => {
    it('two runs of one pull request at once leave one comment, with the newest text', async () => {
      const ws = workspace(40);
      await Promise.all([runIn(gh, ws, 'pull_request', pullRequest()), runIn(gh, ws, 'pull_request', pullRequest())]);
      expect(gh.comments).toHaveLength(1);
      expect(gh.comments[0]!.body).toMatch(/LLM release gate: \*\*block\*\*/);
    });

    it('GraphQL cannot read the comments: no comment is created over a marked one, none is edited', async () => {
      gh.comments.push({
        id: 50,
        body: '<!-- llm-release-gate:LLM release gate -->\nold',
        mine: false,
        author: 'evil[bot]',
      });
      gh.graphqlErrors.set('pullRequest', { type: 'FORBIDDEN', message: 'no' });
      const r = await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(r.outputs.decision).toBe('block');
      expect(gh.comments).toHaveLength(1);
      expect(gh.comments[0]!.body).toMatch(/old$/);
      expect(r.stdout).toMatch(/left as it is/);
    });

    it('duplicates left by an earlier race are removed, the oldest kept', async () => {
      gh.comments.push({ id: 60, body: '<!-- llm-release-gate:LLM release gate -->\nold', mine: true });
      gh.comments.push({ id: 61, body: '<!-- llm-release-gate:LLM release gate -->\nold', mine: true });
      await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(gh.comments.map((c) => c.id)).toEqual([60]);
      expect(gh.comments[0]!.body).toMatch(/\*\*block\*\*/);
    });

    it('a refused delete of a stale duplicate does not stop the kept comment from saying the verdict', async () => {
      gh.comments.push({ id: 60, body: '<!-- llm-release-gate:LLM release gate -->\nallow (stale)', mine: true });
      gh.comments.push({ id: 61, body: '<!-- llm-release-gate:LLM release gate -->\nold', mine: true });
      gh.fail({ method: 'DELETE', route: '/repos/{owner}/{repo}/issues/comments/{comment_id}', status: 422 });
      await runIn(gh, workspace(40), 'pull_request', pullRequest());
      expect(gh.comments.find((c) => c.id === 60)!.body).toMatch(/\*\*block\*\*/);
    });

    it('four runs at once leave one comment', async () => {
      const ws = workspace(40);
      await Promise.all([1, 2, 3, 4].map(() => runIn(gh, ws, 'pull_request', pullRequest(), { 'api-deadline': '60' })));
      expect(gh.comments).toHaveLength(1);
    });
  });
});
