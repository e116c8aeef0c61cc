import { type FlagProvider, type FlagState, json } from './types.js';

/**
 * A webhook: POST {flag, percent, release}; 2xx is applied. It has no read, so the live percentage
 * is what the rollout last applied (its record): hand changes elsewhere are not seen.
 */
export class WebhookProvider implements FlagProvider {
  readonly blind = true;

  constructor(
    private readonly url: string,
    private readonly key: string,
    private readonly release: string,
    private readonly token: string | undefined,
    private applied: number,
  ) {}

  describe(): string {
    return `webhook ${new URL(this.url).origin}, flag ${this.key}`;
  }

  async read(): Promise<FlagState> {
    return { percent: this.applied };
  }

  async write(percent: number): Promise<void> {
    await json(
      await fetch(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: JSON.stringify({ flag: this.key, percent, release: this.release }),
        signal: AbortSignal.timeout(15_000),
      }),
      this.describe(),
    );
    this.applied = percent;
  }
}
