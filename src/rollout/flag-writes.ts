import type { LoadedConfig } from '../config/load.js';
import { ExternalServiceError } from '../errors.js';
import { tryAlert } from './alert.js';
import { ConflictError, type FlagProvider, type FlagState } from './flags/types.js';
import { step, type DeploymentRecord, type RolloutDecision } from './reconcile.js';
import { describeStatus } from './record.js';
import type { RolloutStore } from './store.js';
import type { TickContext, TickResult } from './tick.js';

/** How often the kill switch tries to set 0% before it fails loudly. */
export const KILL_ATTEMPTS = 3;

export function showFlag(f: FlagState | { error: string }): string {
  return 'error' in f ? `unreadable (${f.error})` : `${f.percent}%${f.off ? ` but off: ${f.off}` : ''}`;
}

/**
 * Write the flag and read it back. A write answered with an error may still have been applied (the
 * read-back tells); one answered OK may not serve (then it is an error). A compare-and-set refusal
 * is another writer: false (the next tick reads the new state), except that 0% found is 0% wanted.
 */
export async function applyFlag(provider: FlagProvider, percent: number, expected: number): Promise<boolean> {
  let failure: unknown;
  try {
    await provider.write(percent, expected);
  } catch (err) {
    failure = err;
  }
  const now = await provider.read().catch((err: Error) => ({ error: err.message }));
  const serves = !('error' in now) && now.percent === percent && !(percent > 0 && now.off);
  if (failure instanceof ConflictError) return percent === 0 && serves;
  if (serves) return true;
  if (failure) throw failure;
  throw new ExternalServiceError(
    provider.describe(),
    `${provider.describe()} accepted ${percent}%, but reading it back gives ${showFlag(now)}`,
  );
}

/**
 * The kill switch: set 0%, read it back, try again; fail loudly (never claim a rollback) when the
 * flag is not at 0. Then the record and the owner, best effort: the flag is what matters.
 */
export async function killSwitch(
  loaded: LoadedConfig,
  store: RolloutStore,
  provider: FlagProvider,
  record: DeploymentRecord | undefined,
  ctx: TickContext,
  stages: number,
  log: string[],
): Promise<TickResult> {
  const by = ctx.actor ? ` by @${ctx.actor}` : '';
  let last = 'it was not tried';
  let zero = false;
  for (let attempt = 1; attempt <= KILL_ATTEMPTS && !zero; attempt++) {
    if (attempt > 1) await new Promise((r) => setTimeout(r, (ctx.retryDelayMs ?? 2000) * (attempt - 1)));
    try {
      const now = await provider.read();
      // A provider that cannot be read (a webhook) is always sent the 0%: its "read" is only our record.
      zero = (now.percent === 0 && !provider.blind) || (await applyFlag(provider, 0, now.percent));
      if (!zero) last = 'the flag kept moving';
    } catch (err) {
      last = err instanceof Error ? err.message : String(err);
    }
  }
  if (!zero)
    throw new ExternalServiceError(
      provider.describe(),
      `Rollback failed: ${provider.describe()} could not be set to 0% after ${KILL_ATTEMPTS} attempts (${last}). Nothing was rolled back: set the flag to 0% in the provider by hand, then run rollback again.`,
    );
  log.push(`${provider.describe()} set to 0% and read back`);
  const decision: RolloutDecision = {
    ...step(
      'rollback',
      0,
      record?.stage ?? -1,
      `kill switch${by}`,
      'the flag is at 0%; ship a new release to start again',
    ),
    alert: `Rolled back ${loaded.config.rollout!.flag.key} by hand${by}`,
  };
  const issue = await tryAlert(store, loaded, record?.release ?? ctx.release, record, decision);
  if (record && record.status !== 'rolled_back') {
    await store
      .status(
        record.id,
        'failure',
        describeStatus('rollback', record.stage, stages, 0, `kill switch${by}`, { alert: issue?.number }),
      )
      .catch((err: Error) =>
        decision.warnings.push(
          `The flag is at 0%, but the deployment could not be marked failed (${err.message}); the next run records it.`,
        ),
      );
  }
  return { decision, log, issueUrl: issue?.url, flag: `${provider.describe()}: 0%` };
}
