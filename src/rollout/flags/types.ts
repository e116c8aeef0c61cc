/** What a flag serves now: its configured percentage, and why it serves nobody when it is switched off. */
export interface FlagState {
  percent: number;
  /** Set when the flag serves nobody whatever its percentage (an Unleash environment or a LaunchDarkly flag off). */
  off?: string;
}

/**
 * Where the live percentage lives. `write` is compare-and-set (it refuses when the flag moved), turns
 * the flag on where the service has a switch, and is verified by the caller reading it back.
 */
export interface FlagProvider {
  /** The provider cannot be read: its percentage is what the rollout last applied. */
  readonly blind?: boolean;
  describe(): string;
  read(): Promise<FlagState>;
  write(percent: number, expected: number): Promise<void>;
}

/** The flag moved under this run (another tick, or a hand): nothing was written. */
export class ConflictError extends Error {}

/** A flag service's JSON answer; an HTTP error carries its status (for the caller to name it). */
export async function json(res: Response, what: string): Promise<unknown> {
  if (!res.ok)
    throw Object.assign(new Error(`${what} answered HTTP ${res.status}: ${(await res.text()).slice(0, 200)}`), {
      status: res.status,
    });
  const text = await res.text();
  return text ? JSON.parse(text) : undefined;
}
