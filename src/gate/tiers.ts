import type { Config, Tier } from '../config/schema.js';
import type { BarStatus, Finding } from './verdict.js';

export const BAR_IDS = [1, 2, 3, 4, 5, 6, 7] as const;
export type BarId = (typeof BAR_IDS)[number];

/** Which bars block at each risk tier (SPEC §1); the rest only warn. The one tier policy. */
const BLOCKING: Record<Tier, readonly BarId[]> = {
  low: [1, 2, 3, 7],
  medium: [1, 2, 3, 4, 6, 7],
  high: [1, 2, 3, 4, 5, 6, 7],
  critical: [1, 2, 3, 4, 5, 6, 7],
};

/**
 * Evidence before allow, by tier, where the config does not say: the fewest distinct scored cases,
 * and what an inconclusive blocking metric does (miss: it blocks when its estimate misses the bar).
 */
export const TIER_STATISTICS: Record<Tier, { minSamples: number; onInconclusive: 'warn' | 'miss' | 'block' }> = {
  low: { minSamples: 1, onInconclusive: 'warn' },
  medium: { minSamples: 30, onInconclusive: 'miss' },
  high: { minSamples: 100, onInconclusive: 'block' },
  critical: { minSamples: 200, onInconclusive: 'block' },
};

/** A missing tier is judged as `high`: fail closed, every bar blocks until the team says otherwise. */
export function effectiveTier(config: Config | undefined): Tier {
  return config?.risk?.tier ?? 'high';
}

export function isBlocking(tier: Tier, id: BarId): boolean {
  return BLOCKING[tier].includes(id);
}

/** Human approval (bar 5) and required reviewers matter at these tiers. */
export function needsHumanApproval(tier: Tier): boolean {
  return tier === 'high' || tier === 'critical';
}

/**
 * Status of each bar from its own findings and its dependencies. A bar whose dependency failed (or
 * is itself blocked) is `blocked`, never silently passed; a warn-only failure does not block dependents.
 */
export function resolveStatuses(
  tier: Tier,
  bars: readonly { id: BarId; deps: readonly BarId[] }[],
  findings: Record<BarId, Finding[]>,
): Record<BarId, BarStatus> {
  const status = {} as Record<BarId, BarStatus>;
  for (const bar of bars) {
    const own = findings[bar.id].every((f) => f.status !== 'fail')
      ? 'pass'
      : isBlocking(tier, bar.id)
        ? 'fail'
        : 'warn';
    const depFailed = bar.deps.some((d) => status[d] === 'fail' || status[d] === 'blocked');
    status[bar.id] = depFailed ? 'blocked' : own;
  }
  return status;
}
