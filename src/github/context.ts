/** What the gate needs from the workflow run: the repository, the event, the commits it is about. */
export interface RunContext {
  owner: string;
  repo: string;
  eventName: string;
  /** The commit the check run belongs on: the PR head (not the merge SHA), the merge-queue head, the pushed SHA. */
  headSha: string;
  /** The pull request number, on pull request events. */
  pullNumber?: number;
  /** The base commit of a pull request (where the config is read from with config-source: base). */
  baseSha?: string;
  /** A pull request from a fork: the token is read-only. */
  fromFork: boolean;
  /** Commits that count as "this change" for stale-results checks. */
  commits: string[];
  apiUrl: string;
  serverUrl: string;
  runUrl?: string;
}

type Payload = Record<string, unknown>;
const PR_EVENTS = new Set(['pull_request', 'pull_request_target', 'pull_request_review']);

/** Build the context from the runner's environment variables and the event payload. */
export function runContext(env: NodeJS.ProcessEnv, event: Payload): RunContext {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '/').split('/');
  const eventName = env.GITHUB_EVENT_NAME ?? '';
  const pr = event.pull_request as { number?: number; head?: { sha?: string; repo?: { full_name?: string } }; base?: { sha?: string; repo?: { full_name?: string } } } | undefined;
  const mq = event.merge_group as { head_sha?: string } | undefined;
  // workflow_run: the second half of the fork recipe (the PR's run uploaded results; this one reports).
  const wr = eventName === 'workflow_run' ? (event.workflow_run as { head_sha?: string; pull_requests?: { number?: number }[] } | undefined) : undefined;
  const sha = env.GITHUB_SHA ?? '';
  const headSha = pr?.head?.sha ?? mq?.head_sha ?? wr?.head_sha ?? sha;
  const serverUrl = env.GITHUB_SERVER_URL || 'https://github.com';
  const headRepo = pr?.head?.repo?.full_name;
  const baseRepo = pr?.base?.repo?.full_name;
  return {
    owner,
    repo,
    eventName,
    headSha,
    pullNumber: PR_EVENTS.has(eventName) && typeof pr?.number === 'number' ? pr.number : (wr?.pull_requests?.[0]?.number ?? undefined),
    baseSha: pr?.base?.sha,
    fromFork: Boolean(headRepo && baseRepo && headRepo !== baseRepo),
    commits: [...new Set([pr?.head?.sha, mq?.head_sha, wr?.head_sha, sha].filter((s): s is string => typeof s === 'string' && s.length > 0))],
    apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
    serverUrl,
    runUrl: env.GITHUB_RUN_ID ? `${serverUrl}/${owner}/${repo}/actions/runs/${env.GITHUB_RUN_ID}` : undefined,
  };
}
