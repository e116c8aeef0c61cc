import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { ConfigurationError } from '../errors.js';
import { effectiveTier } from '../gate/bars.js';
import { stagesFrom } from './plan.js';
import { reconcile, type DeploymentRecord, type RolloutDecision } from './reconcile.js';
import { ConflictError, FileMetricSource, FlagdFileProvider, HttpMetricSource, type FlagProvider, type MetricSource } from './sources.js';

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
  const rollout = loaded.config.rollout;
  if (!rollout) {
    throw new ConfigurationError(`${loaded.file} has no rollout section.`, [{ file: loaded.file, path: 'rollout', line: 1, message: 'add rollout: { flag: {...}, stages: [...], analysis: {...} } to drive a staged rollout' }]);
  }
  const unsupported = (what: string, path: string, line?: number) =>
    new ConfigurationError(`${what} is not supported by this version.`, [{ file: loaded.file, path, line, message: `${what} is not supported yet: use flagd-file and a file or http metric source` }]);
  if (rollout.flag.provider !== 'flagd-file') throw unsupported(`flag provider ${rollout.flag.provider}`, 'rollout.flag.provider', loaded.lineOf('rollout.flag.provider'));
  const flagFile = path.resolve(opts.cwd, rollout.flag.path!);
  const provider: FlagProvider = new FlagdFileProvider(flagFile, rollout.flag.key);
  const src = rollout.analysis?.source;
  let metrics: MetricSource | undefined;
  if (src?.provider === 'file') metrics = new FileMetricSource(path.resolve(opts.cwd, src.path!), () => opts.now);
  else if (src?.provider === 'http') metrics = new HttpMetricSource(src.url!, src.token_env ? opts.env[src.token_env] : undefined, () => opts.now);
  else if (src) throw unsupported(`metric source ${src.provider}`, 'rollout.analysis.source.provider', loaded.lineOf('rollout.analysis.source.provider'));

  const stages = stagesFrom(rollout, effectiveTier(loaded.config));
  const flag = await provider.read().then(
    (p) => p,
    (err: Error) => ({ error: err.message }),
  );
  let deployment: DeploymentRecord | undefined;
  if (typeof flag === 'number' && flag > 0) {
    const stage = stages.findIndex((s) => s.percent === flag);
    const since = opts.since ?? (await stat(flagFile)).mtime;
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
    { stages, metrics: rollout.analysis?.metrics ?? [], maxErrors: rollout.analysis?.max_errors ?? 3, onRegression: rollout.on_regression },
  );
  let wrote = false;
  const changes = decision.action === 'start' || decision.action === 'advance' || decision.action === 'rollback';
  if (!opts.dryRun && changes && typeof flag === 'number') {
    try {
      await provider.write(decision.percent, flag);
      wrote = true;
    } catch (err) {
      if (err instanceof ConflictError) decision.warnings.push(`Not written: ${err.message}; the next tick looks again.`);
      else throw err;
    }
  }
  return { decision, flag: provider.describe(), metrics: metrics?.describe() ?? 'none', wrote };
}
