import type { LoadedConfig } from '../config/load.js';
import type { RolloutConfig, Tier } from '../config/schema.js';
import { ConfigurationError } from '../errors.js';

export interface Stage {
  percent: number;
  minDurationMs: number;
  minSamples: number;
  /** A promote run by an approver is needed to leave this stage. */
  approval: boolean;
}

/** Canary requests a stage needs before it is judged, when the config does not say. */
export const DEFAULT_MIN_SAMPLES = 100;
/** How long a stage bakes, when the config does not say. */
export const DEFAULT_MIN_DURATION_MS = 30 * 60_000;

/** The stages of a rollout; at the critical tier every stage but the last needs an approval to leave. */
export function stagesFrom(rollout: RolloutConfig, tier: Tier): Stage[] {
  return rollout.stages.map((s, i, all) => ({
    percent: s.percent,
    minDurationMs: s.min_duration ?? DEFAULT_MIN_DURATION_MS,
    minSamples: s.min_samples ?? DEFAULT_MIN_SAMPLES,
    approval: s.approval || (tier === 'critical' && i < all.length - 1),
  }));
}

/** The config's rollout section; a config without one cannot drive a rollout (the user's to fix). */
export function rolloutOf(loaded: LoadedConfig): RolloutConfig {
  const rollout = loaded.config.rollout;
  if (!rollout) {
    throw new ConfigurationError(`${loaded.file} has no rollout section.`, [
      {
        file: loaded.file,
        path: 'rollout',
        line: 1,
        message: 'add rollout: { flag: {...}, stages: [...], analysis: {...} } to drive a staged rollout',
      },
    ]);
  }
  return rollout;
}
