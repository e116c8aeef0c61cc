import { Octokit } from '@octokit/rest';
import { throttling } from '@octokit/plugin-throttling';
import { ExternalServiceError } from '../errors.js';

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warning(message: string): void;
}

/** Retries of a 5xx or a network failure (a timeout included), waiting 1, 4 and 9 s. */
const RETRIES = 3;

/** How long one HTTP request may take, and the API side of a whole run (both documented in the README). */
export const DEFAULT_TIMEOUTS = { requestMs: 20_000, deadlineMs: 180_000 };

const GitHubClient = Octokit.plugin(throttling);
export type GitHubClient = InstanceType<typeof GitHubClient> & { deadline: Deadline };

/** One overall deadline for the API side of a run: every wait and retry is capped by it. */
export class Deadline {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  readonly expired: Promise<never>;

  constructor(
    readonly ms: number,
    private readonly now: () => number = Date.now,
    private readonly end = now() + ms,
  ) {
    this.expired = new Promise<never>((_, reject) => {
      this.controller.signal.addEventListener('abort', () => reject(this.error('waiting for GitHub')));
    });
    this.expired.catch(() => undefined);
    this.timer = setTimeout(() => this.controller.abort(), ms);
    this.timer.unref();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  remaining(): number {
    return Math.max(0, this.end - this.now());
  }

  error(what: string): ExternalServiceError {
    return new ExternalServiceError(
      'GitHub',
      `the run's API deadline (${Math.round(this.ms / 1000)} s) passed while ${what}`,
    );
  }
}

/**
 * The one Octokit client, talking only to `baseUrl` (GITHUB_API_URL, so GitHub Enterprise works): the
 * token goes nowhere else. Each HTTP request has a timeout (a silent or trickling socket is cut); 5xx
 * and network failures are retried up to 3 times (retryWait); rate limits (primary, secondary, a 429 with
 * retry-after) are waited out as GitHub asks, but never past the run's deadline. Past the deadline
 * every call fails at once with an ExternalServiceError, so the run degrades instead of waiting.
 * A request made with `request: { final: true }` (completing the check run) gets one attempt even
 * past the deadline: a check is never left in progress.
 */
export function createClient(
  token: string,
  baseUrl: string,
  log: Logger,
  version = 'dev',
  timeouts: { requestMs: number; deadlineMs: number } = DEFAULT_TIMEOUTS,
): GitHubClient {
  const deadline = new Deadline(timeouts.deadlineMs);
  const canWait = (after: number, retryCount: number) => retryCount < 2 && after * 1000 <= deadline.remaining();
  const client = new GitHubClient({
    auth: token,
    baseUrl: baseUrl.replace(/\/+$/, ''),
    userAgent: `llm-release-gate/${version}`,
    log: { debug: log.debug, info: log.debug, warn: log.warning, error: log.warning },
    request: {
      fetch: (url: string, init: RequestInit) => timedFetch(url, init, timeouts.requestMs),
    },
    throttle: {
      onRateLimit: (after: number, options: { method: string; url: string }, _octokit: unknown, retryCount: number) => {
        const wait = canWait(after, retryCount);
        log.warning(
          `GitHub API rate limit on ${options.method} ${options.url}; ${wait ? `retrying in ${after}s` : `the reset is ${after}s away, past the run's deadline: not waiting`}`,
        );
        return wait;
      },
      onSecondaryRateLimit: (
        after: number,
        options: { method: string; url: string },
        _octokit: unknown,
        retryCount: number,
      ) => {
        const wait = canWait(after, retryCount);
        log.warning(
          `GitHub API secondary rate limit on ${options.method} ${options.url}; ${wait ? `retrying in ${after}s` : 'not waiting past the deadline'}`,
        );
        return wait;
      },
    },
  }) as GitHubClient;
  client.deadline = deadline;
  client.hook.wrap('request', async (request, options) => {
    const what = `${options.method} ${String(options.url)}`;
    // A POST that creates something may have been applied when its answer was lost: never repeated
    // (a second check run or comment would be left behind). GraphQL reads are repeated.
    const creates = options.method === 'POST' && !String(options.url).endsWith('/graphql');
    if ((options.request as { final?: boolean } | undefined)?.final) {
      // The last word (completing the check run): past the deadline, up to 5 tries, at most 4 s apart.
      for (let attempt = 0; ; attempt++) {
        try {
          return await request(options);
        } catch (err) {
          const after = retryWait(err, attempt, false);
          if (after === undefined || attempt >= 4) throw err;
          await new Promise((r) => setTimeout(r, Math.min(after, 4) * 1000));
        }
      }
    }
    for (let attempt = 0; ; attempt++) {
      if (deadline.remaining() === 0) throw deadline.error(`starting ${what}`);
      try {
        const bounded = { ...options, request: { ...options.request, signal: deadline.signal } };
        return await Promise.race([request(bounded), deadline.expired]);
      } catch (err) {
        const after = retryWait(err, attempt, creates);
        if (after === undefined || after * 1000 > deadline.remaining()) throw err;
        log.warning(`GitHub ${statusOf(err) === 429 ? 'answered 429' : 'failed'} on ${what}; retrying in ${after}s`);
        await Promise.race([new Promise((r) => setTimeout(r, after * 1000)), deadline.expired]);
      }
    }
  });
  return client;
}

/**
 * How long to wait before trying again, or undefined when trying again cannot help: a 429 waits as
 * GitHub asks (twice at most); a 5xx or a network failure (timeouts included) is retried 3 times,
 * 1, 4 and 9 s apart (not a POST that creates: it may have been applied); any other 4xx, the
 * deadline and an abort are final. One retry policy, here,
 * so that every wait is capped by the run's deadline (the retry plugin's waits were not).
 */
function retryWait(err: unknown, attempt: number, creates: boolean): number | undefined {
  const status = statusOf(err);
  if (status === 429) return attempt < 2 ? retryAfterSeconds(err) : undefined;
  if (creates || err instanceof ExternalServiceError || (err as { name?: string }).name === 'AbortError')
    return undefined;
  const transient = status === undefined || status >= 500;
  return transient && attempt < RETRIES ? (attempt + 1) ** 2 : undefined;
}

/** A 429's wait: retry-after seconds, or until x-ratelimit-reset; 60 s when it says neither. */
function retryAfterSeconds(err: unknown): number {
  const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  const after = Number(headers['retry-after']);
  if (Number.isFinite(after) && after >= 0) return after;
  const reset = Number(headers['x-ratelimit-reset']);
  if (Number.isFinite(reset) && reset > 0) return Math.max(0, Math.ceil(reset - Date.now() / 1000) + 1);
  return 60;
}

/**
 * fetch with a timeout over the whole exchange, body included (a trickling answer is cut too), that
 * also follows the caller's signal (the run's deadline). One controller per request, held by its own
 * timer: signals combined with AbortSignal.any can be collected on Node 20 and then never fire.
 */
function timedFetch(url: string, init: RequestInit, ms: number): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new DOMException(`no answer within ${ms / 1000} s`, 'TimeoutError')),
    ms,
  );
  timer.unref();
  const outer = init.signal;
  if (outer?.aborted) controller.abort(outer.reason);
  else outer?.addEventListener('abort', () => controller.abort(outer.reason), { once: true });
  return fetch(url, { ...init, signal: controller.signal });
}

/** The status of a failed API call, when it has one. */
export function statusOf(err: unknown): number | undefined {
  const s = (err as { status?: unknown }).status;
  return typeof s === 'number' ? s : undefined;
}

/** A 403 or 429 that is a rate limit (not a missing permission). */
export function isRateLimit(err: unknown): boolean {
  const status = statusOf(err);
  if (status === 429) return true;
  if (status !== 403) return false;
  const headers = (err as { response?: { headers?: Record<string, string | undefined> } }).response?.headers ?? {};
  return headers['x-ratelimit-remaining'] === '0' || /rate limit/i.test(err instanceof Error ? err.message : '');
}
