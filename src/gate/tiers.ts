import type { Config, Tier } from '../config/schema.js';
import type { BarStatus } from './verdict.js';

export const BARS = [
  { id: 1, name: 'target', title: 'Target', deps: [] },
  { id: 2, name: 'evals', title: 'Evals', deps: [1] },
  { id: 3, name: 'deploy', title: 'Deploy', deps: [2] },
  { id: 4, name: 'observability', title: 'Observability', deps: [3] },
  { id: 5, name: 'guardrails', title: 'Guardrails', deps: [1, 4] },
  { id: 6, name: 'cost', title: 'Cost', deps: [3] },
  { id: 7, name: 'owner', title: 'Owner', deps: [3, 4, 5, 6] },
] as const;

export type BarId = (typeof BARS)[number]['id'];

/** Which bars block at each risk tier (SPEC §1); the rest only warn. */
const BLOCKING: Record<Tier, readonly BarId[]> = {
  low: [1, 2, 3, 7],
  medium: [1, 2, 3, 4, 6, 7],
  high: [1, 2, 3, 4, 5, 6, 7],
  critical: [1, 2, 3, 4, 5, 6, 7],
};

/** A missing tier is judged as `high`: fail closed, every bar blocks until the team says otherwise. */
export function effectiveTier(config: Config | undefined): Tier {
  return config?.risk?.tier ?? 'high';
}

export function isBlocking(tier: Tier, id: BarId): boolean {
  return BLOCKING[tier].includes(id);
}

/** One observation behind a bar's status. */
export interface Finding {
  ok: boolean;
  /** Passing, but worth a reviewer's attention (an inconclusive or non-blocking metric). */
  warn?: boolean;
  text: string;
}

/**
 * Status of each bar from its own findings and its dependencies. A bar whose dependency failed (or
 * is itself blocked) is `blocked`, never silently passed; a warn-only failure does not block dependents.
 */
export function resolveStatuses(tier: Tier, findings: Record<BarId, Finding[]>): Record<BarId, BarStatus> {
  const status = {} as Record<BarId, BarStatus>;
  for (const bar of BARS) {
    const own = findings[bar.id].every((f) => f.ok) ? 'pass' : isBlocking(tier, bar.id) ? 'fail' : 'warn';
    const depFailed = bar.deps.some((d) => status[d] === 'fail' || status[d] === 'blocked');
    status[bar.id] = depFailed ? 'blocked' : own;
  }
  return status;
}

/** A model id that floats (an alias that a provider re-points) rather than a pinned snapshot. */
export function modelPinning(model: string): { pinned: boolean; why: string } {
  const m = model.trim();
  if (/(^|[-_:/@.])(latest|stable|default|current|preview|exp|experimental|beta|nightly)$/i.test(m) || /latest/i.test(m)) {
    return { pinned: false, why: `"${m}" is a moving alias` };
  }
  // Dated snapshots (gpt-4o-2024-08-06, claude-3-5-sonnet-20241022), numbered revisions (gemini-1.5-pro-002),
  // explicit versions (:v2, @sha256:…, -v1.2, /revisions/…).
  const pinnedPatterns = [/\d{4}-?\d{2}-?\d{2}/, /-\d{3}$/, /@sha256:[0-9a-f]{12,}/i, /[:@]v?\d+(\.\d+)*$/i, /-v\d+(\.\d+)*$/i, /@[0-9a-f]{7,40}$/i];
  if (pinnedPatterns.some((p) => p.test(m))) return { pinned: true, why: `"${m}" names a fixed snapshot` };
  return { pinned: false, why: `"${m}" has no snapshot date or version, so the provider can change it under you` };
}

const LOGIN = /^@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Is this one GitHub login (a person), rather than a team (`@org/team`) or free text? */
export function ownerShape(name: string): Finding {
  const n = name.trim();
  if (n.includes('/')) return { ok: false, text: `owner.name "${n}" is a team: name one person (a GitHub login such as @alice)` };
  if (!LOGIN.test(n)) return { ok: false, text: `owner.name "${n}" is not a GitHub login: write one person's login, such as @alice` };
  return { ok: true, text: `owner ${n.startsWith('@') ? n : `@${n}`} (judged from the config: one login, not a team; not confirmed against the GitHub API)` };
}
