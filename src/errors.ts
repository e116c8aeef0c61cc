/** One problem in a user's input, located as precisely as the input allows. */
export interface Problem {
  /** File the problem is in (repository-relative where possible). */
  file: string;
  /** Dotted key path inside the file (`evals.metrics.0.min`), when the file is structured. */
  path?: string;
  /** 1-based line, when known. */
  line?: number;
  /** 1-based column, when known. */
  column?: number;
  /** What was found, what is expected and what to do, in words a person can act on. */
  message: string;
}

/**
 * The user's to fix: a bad config, unreadable results, a wrong input. Reported without a stack
 * trace, and always fails closed (`block`, exit code 2 in the CLI, a failed step in the action).
 */
export class ConfigurationError extends Error {
  readonly problems: Problem[];
  constructor(summary: string, problems: Problem[] = []) {
    super(summary);
    this.name = 'ConfigurationError';
    this.problems = problems;
  }
}

/** The one way a located problem is written: `file, line N, key.path: what to do`. */
export function formatProblem(p: Problem): string {
  const where = [p.file, p.line ? `line ${p.line}` : undefined, p.path].filter(Boolean).join(', ');
  return `${where}: ${p.message}`;
}

export function describeError(err: unknown): string {
  if (err instanceof ConfigurationError) {
    const lines = err.problems.map((p) => `  - ${formatProblem(p)}`);
    return [err.message, ...lines].join('\n');
  }
  return err instanceof Error ? err.message : String(err);
}

/**
 * A service the action talks to failed or did not answer (GitHub, a flag service, a metrics source):
 * reported as that, with what to do (re-run, check the service), never as a bug in the action.
 */
export class ExternalServiceError extends Error {
  constructor(
    readonly service: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ExternalServiceError';
  }
}

/** Is this a failure of a remote service (an HTTP status from it, or no answer at all)? */
export function isExternalFailure(err: unknown): boolean {
  if (err instanceof ExternalServiceError) return true;
  if (!(err instanceof Error)) return false;
  const status = (err as { status?: unknown }).status;
  const code = (err as { code?: unknown; cause?: { code?: unknown } }).cause?.code ?? (err as { code?: unknown }).code;
  return (
    (typeof status === 'number' && status >= 400) ||
    err.name === 'HttpError' ||
    err.name === 'RequestError' ||
    err.name === 'AbortError' ||
    err.name === 'TimeoutError' ||
    /fetch failed|socket hang up/i.test(err.message) ||
    (typeof code === 'string' && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|UND_ERR_)/.test(code))
  );
}
