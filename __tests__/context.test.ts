import { runContext } from '../src/github/context.js';

const base = {
  repo: { owner: 'acme', repo: 'support' },
  sha: 'merge-sha',
  runId: 42,
  runAttempt: 1,
  apiUrl: 'https://ghe.example/api/v3',
  serverUrl: 'https://github.com',
};
/** The shape @actions/github's context has on the runner. */
const ctxOf = (eventName: string, payload: Record<string, unknown>) => runContext({ ...base, eventName, payload });

describe('the run context', () => {
  it('puts the check on the pull request head, not the merge SHA; reads the base from the event', () => {
    const ctx = ctxOf('pull_request', {
      pull_request: {
        number: 7,
        head: { sha: 'head-sha', repo: { full_name: 'acme/support' } },
        base: { sha: 'base-sha', repo: { full_name: 'acme/support' } },
      },
    });
    expect(ctx).toMatchObject({
      owner: 'acme',
      repo: 'support',
      headSha: 'head-sha',
      baseSha: 'base-sha',
      pullNumber: 7,
      fromFork: false,
      apiUrl: 'https://ghe.example/api/v3',
    });
    expect(ctx.commits).toEqual(['head-sha', 'merge-sha']);
    expect(ctx.runUrl).toBe('https://github.com/acme/support/actions/runs/42');
  });

  it('knows a fork by its head repository', () => {
    const ctx = ctxOf('pull_request', {
      pull_request: {
        number: 7,
        head: { sha: 'h', repo: { full_name: 'mallory/support' } },
        base: { sha: 'b', repo: { full_name: 'acme/support' } },
      },
    });
    expect(ctx.fromFork).toBe(true);
  });

  it('uses the pushed SHA on push and the merge-queue head in merge queues', () => {
    expect(ctxOf('push', {}).headSha).toBe('merge-sha');
    expect(ctxOf('merge_group', { merge_group: { head_sha: 'mq-sha' } }).headSha).toBe('mq-sha');
  });

  it('reports a workflow_run on the run’s head SHA and pull request', () => {
    const ctx = ctxOf('workflow_run', { workflow_run: { head_sha: 'pr-head', pull_requests: [{ number: 9 }] } });
    expect(ctx).toMatchObject({ headSha: 'pr-head', pullNumber: 9 });
  });
});
