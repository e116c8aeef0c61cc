import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { ConfigurationError } from '../errors.js';
import { effectiveTier } from '../gate/tiers.js';
import { rolloutOf, stagesFrom } from './plan.js';
import { reconcile, type DeploymentRecord, type RolloutDecision } from './reconcile.js';
import { providerFor } from './flags/index.js';
import { FlagdFileProvider } from './flags/flagd-file.js';
import { ConflictError, type FlagProvider } from './flags/types.js';
import { metricSourceFor } from './sources/index.js';

export interface LocalTick {
  decision: RolloutDecision;
  flag: string;
  metrics: string;
  /** True when the flag file was written. */
  wrote: boolean;
}

/**
 * One rollout tick from a workstation (the CLI): the live percentage from the flagd file, the bake
 * time from the file's last change (there is no deployment record outside GitHub), the gate's
 * verdict on the workspace. With `dryRun` nothing is written.
 */
export async function localTick(
  loaded: LoadedConfig,
  opts: { cwd: string; now: Date; gateAllowed: boolean; dryRun: boolean; since?: Date; env: NodeJS.ProcessEnv },
): Promise<LocalTick> {
  const rollout = rolloutOf(loaded);
  const flagFile = rollout.flag.provider === 'flagd-file' ? path.resolve(opts.cwd, rollout.flag.path) : undefined;
  const provider: FlagProvider = flagFile
    ? new FlagdFileProvider(flagFile, rollout.flag.key)
    : providerFor(rollout, { branch: 'main', release: 'workspace', env: opts.env, applied: 0 });
  const metrics = metricSourceFor(rollout, opts.cwd, opts.env, () => opts.now);

  const stages = stagesFrom(rollout, effectiveTier(loaded.config));
  const flag = await provider.read().then(
    (p) => p,
    (err: Error) => ({ error: err.message }),
  );
  let deployment: DeploymentRecord | undefined;
  if (typeof flag === 'number' && flag > 0) {
    const stage = stages.findIndex((s) => s.percent === flag);
    if (!opts.since && !flagFile)
      throw new ConfigurationError('--since is needed with this flag provider.', [
        {
          file: loaded.file,
          path: 'rollout.flag.provider',
          message: 'outside GitHub there is no deployment record: pass --since with the time the current stage began',
        },
      ]);
    const since = opts.since ?? (await stat(flagFile!)).mtime;
    // A percentage that is no stage of the plan reads as the nearest stage below it: the reconciler holds on the mismatch.
    const nearest = stage >= 0 ? stage : Math.max(0, stages.filter((s) => s.percent < flag).length - 1);
    deployment = { id: 0, release: 'workspace', stage: nearest, stageStartedAt: since, status: 'active', errors: 0 };
  }
  const data = metrics
    ? await metrics.read().then(
        (m) => m,
        (err: Error) => ({ error: err.message }),
      )
    : { error: 'no rollout.analysis.source is configured' };
  const decision = reconcile(
    { release: 'workspace', deployment, flag, gateAllowed: opts.gateAllowed, metrics: data, now: opts.now },
    {
      stages,
      metrics: rollout.analysis?.metrics ?? [],
      maxErrors: rollout.analysis?.max_errors ?? 3,
      onRegression: rollout.on_regression,
    },
  );
  let wrote = false;
  const changes = decision.action === 'start' || decision.action === 'advance' || decision.action === 'rollback';
  if (!opts.dryRun && changes && typeof flag === 'number') {
    try {
      await provider.write(decision.percent, flag);
      wrote = true;
    } catch (err) {
      if (err instanceof ConflictError)
        decision.warnings.push(`Not written: ${err.message}; the next tick looks again.`);
      else throw err;
    }
  }
  return { decision, flag: provider.describe(), metrics: metrics?.describe() ?? 'none', wrote };
}
