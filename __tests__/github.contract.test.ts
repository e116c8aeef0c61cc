import { createClient } from '../src/github/client.js';
import { statusOf } from '../src/github/client.js';
import { GateApi } from '../src/github/gate-api.js';
import { FakeGitHub } from './support/fake-github.js';

const quiet = { debug: () => {}, info: () => {}, warning: () => {} };

describe('the GitHub client against GitHub’s API description', () => {
  let gh: FakeGitHub;
  let pub: GateApi;

  beforeEach(async () => {
    gh = new FakeGitHub();
    await gh.start();
    pub = new GateApi(createClient('test-token', gh.url, quiet, 'test'), gh.owner, gh.repo);
  });
  afterEach(async () => {
    expect(gh.violations).toEqual([]);
    await gh.stop();
  });

  it('creates a check run in progress and completes it, 50 annotations a request', async () => {
    const { id, url } = await pub.createCheck(
      'LLM release gate',
      'a'.repeat(40),
      'llm-release-gate:1:1',
      'https://github.com/acme/support/actions/runs/1',
    );
    expect(url).toBe(`https://github.com/acme/support/runs/${id}`);
    expect(gh.checkRuns.get(id)).toMatchObject({
      status: 'in_progress',
      head_sha: 'a'.repeat(40),
      name: 'LLM release gate',
    });
    const annotations = Array.from({ length: 120 }, (_, i) => ({
      path: 'gate.yml',
      start_line: i + 1,
      end_line: i + 1,
      annotation_level: 'failure' as const,
      title: `t${i}`,
      message: `m${i}`,
    }));
    await pub.completeCheck(id, 'failure', { title: 'Blocked', summary: 'why' }, annotations);
    const run = gh.checkRuns.get(id)!;
    expect(run).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(run.annotations).toHaveLength(120);
    expect(gh.count('PATCH')).toBe(3);
    expect(pub.requests).toBe(4);
  });

  it('asks every fact in one GraphQL query, and pages through long comment threads', async () => {
    gh.files.set('base1:.github/llm-release-gate.yml', 'version: 1\n');
    gh.files.set('head1:.github/workflows/deploy.yml', 'on: push\n');
    gh.owners.set('alice', 'User');
    gh.environments.set('production', 2);
    for (let i = 0; i < 130; i++) gh.comments.push({ id: i + 1, body: `comment ${i}`, mine: i === 120 });
    const facts = await pub.facts({
      fileAt: { sha: 'base1', path: '.github/llm-release-gate.yml' },
      existsAt: { sha: 'head1', path: '.github/workflows/deploy.yml' },
      login: '@alice',
      environment: 'production',
      pullNumber: 7,
    });
    expect(facts).toMatchObject({
      fileAt: 'version: 1\n',
      existsAt: true,
      ownerKind: 'User',
      environment: { reviewers: 2 },
    });
    expect(facts.comments).toHaveLength(130);
    expect(facts.comments!.filter((c) => c.mine).map((c) => c.id)).toEqual([121]);
    expect(gh.count('POST', 'graphql')).toBe(2);
  });

  it('tells missing files, organisations, strangers and environments without reviewers apart', async () => {
    gh.owners.set('acme', 'Organization');
    gh.environments.set('staging', 0);
    expect(
      await pub.facts({
        fileAt: { sha: 'b', path: 'x.yml' },
        existsAt: { sha: 'h', path: 'y.yml' },
        login: 'acme',
        environment: 'staging',
      }),
    ).toEqual({
      fileAt: null,
      existsAt: false,
      ownerKind: 'Organization',
      environment: { reviewers: 0 },
      unanswered: {},
    });
    expect(await pub.facts({ login: 'nobody-here', environment: 'prod' })).toEqual({
      ownerKind: null,
      environment: null,
      unanswered: {},
    });
  });

  it('creates and updates a comment', async () => {
    const { url } = await pub.createComment(7, 'hello');
    expect(url).toMatch(/#issuecomment-\d+$/);
    await pub.updateComment(gh.comments[0]!.id, 'hello again');
    expect(gh.comments[0]!.body).toBe('hello again');
  });

  it('waits out a 429 with retry-after; retries a 502 on a read or an update, never on a POST that creates', async () => {
    gh.fail({
      method: 'POST',
      route: '/repos/{owner}/{repo}/check-runs',
      status: 429,
      headers: { 'retry-after': '1', 'x-ratelimit-remaining': '0' },
      times: 1,
    });
    await pub.createCheck('LLM release gate', 'b'.repeat(40), 'run-1');
    expect(gh.count('POST', '/repos/{owner}/{repo}/check-runs')).toBe(2);
    // a created comment whose answer was lost would be posted twice: not retried
    gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/issues/{issue_number}/comments', status: 502, times: 1 });
    const err = await pub.createComment(7, 'hi').catch((e: unknown) => e);
    expect(statusOf(err)).toBe(502);
    expect(gh.count('POST', '/repos/{owner}/{repo}/issues/{issue_number}/comments')).toBe(1);
    const { id } = await pub.createComment(7, 'hi');
    gh.fail({ method: 'PATCH', route: '/repos/{owner}/{repo}/issues/comments/{comment_id}', status: 502, times: 1 });
    await pub.updateComment(id, 'hi again');
    expect(gh.count('PATCH', '/repos/{owner}/{repo}/issues/comments/{comment_id}')).toBe(2);
  });

  it.each([403, 404, 422])('does not retry a %i', async (status) => {
    gh.fail({ method: 'POST', route: '/repos/{owner}/{repo}/check-runs', status });
    const err = await pub.createCheck('LLM release gate', 'c'.repeat(40), 'run-1').catch((e: unknown) => e);
    expect(statusOf(err)).toBe(status);
    expect(gh.count('POST', '/repos/{owner}/{repo}/check-runs')).toBe(1);
  });
});
