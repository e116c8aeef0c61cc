import { Octokit } from '@octokit/rest';
import { retry } from '@octokit/plugin-retry';
import { throttling } from '@octokit/plugin-throttling';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

/** Statuses that retrying cannot fix: the token, the permissions, the request itself, a failed precondition (409). */
const DO_NOT_RETRY = [400, 401, 403, 404, 409, 410, 422, 451];

const GitHubClient = Octokit.plugin(retry, throttling);
export type GitHubClient = InstanceType<typeof GitHubClient>;

/**
 * The one Octokit client: retries transient failures (5xx, network) up to 3 times, waits out
 * rate limits (honouring retry-after) up to twice, logs through the given logger, and talks only
 * to `baseUrl` (GITHUB_API_URL, so GitHub Enterprise works): the token goes nowhere else.
 */
export function createClient(token: string, baseUrl: string, log: Logger, version = 'dev'): GitHubClient {
  return new GitHubClient({
    auth: token,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    userAgent: `llm-release-gate/${version}`,
    log: { debug: log.debug, info: log.debug, warn: log.warning, error: log.warning },
    retry: { doNotRetry: DO_NOT_RETRY, retries: 3 },
    throttle: {
      onRateLimit: (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        log.warning(`GitHub API rate limit on ${options.method} ${options.url}; retrying in ${after}s`);
        return retryCount < 2;
      },
      onSecondaryRateLimit: (
        after: number,
        options: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        log.warning(`GitHub API secondary rate limit on ${options.method} ${options.url}; retrying in ${after}s`);
        return retryCount < 2;
      },
    },
  });
}

/** The status of a failed API call, when it has one. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown }).status;
  return typeof s === 'number' ? s : undefined;
}
