import type { DeploymentRecord, RolloutAction } from './reconcile.js';

/** What a deployment status says the rollout did: a step, or something recorded about it. */
export type StatusAction = RolloutAction | 'approve' | 'pause' | 'supersede' | 'hand' | 'off' | 'repair';

/**
 * The rollout's state lives in deployment statuses, one per change of state, each description
 * starting with a line the next tick reads back:
 *   "stage 2/4 · 10% · advance: <why>"        "stage 2/4 · 10% · hold · errors 2: <why>"
 *   "stage 3/4 · 50% · approve by @bob: ..."  "stage 2/4 · 25% · hand: <why> (alert #12)"
 * (GitHub caps descriptions at 140 characters.)
 */
export function describeStatus(
  action: StatusAction,
  stage: number,
  stages: number,
  percent: number,
  why: string,
  extra: { errors?: number; by?: string; alert?: number } = {},
): string {
  const head = `stage ${stage + 1}/${stages} · ${percent}% · ${action}${extra.by ? ` by @${extra.by.replace(/^@/, '')}` : ''}${extra.errors ? ` · errors ${extra.errors}` : ''}`;
  const tail = extra.alert ? ` (alert #${extra.alert})` : '';
  return `${`${head}: ${why}`.slice(0, 140 - tail.length)}${tail}`;
}

const LINE = /^stage (\d+)\/\d+ · ([\d.]+)% · (\w+)(?: by @(\S+))?(?: · errors (\d+))?/;
const ALERT = / \(alert #(\d+)\)$/;

export interface StatusLike {
  state: string;
  description: string;
  createdAt: string;
}

/** Read a deployment record back from its statuses (oldest first). */
export function recordFrom(id: number, release: string, statuses: readonly StatusLike[]): DeploymentRecord {
  const record: DeploymentRecord = {
    id,
    release,
    stage: 0,
    stageStartedAt: new Date(statuses[0]?.createdAt ?? 0),
    status: 'active',
    errors: 0,
  };
  for (const s of statuses) {
    const m = LINE.exec(s.description);
    const alert = ALERT.exec(s.description);
    if (alert) record.alertIssue = Number(alert[1]);
    if (m) {
      const stage = Number(m[1]) - 1;
      const action = m[3] as StatusAction;
      if (action === 'start' || action === 'advance' || action === 'repair') {
        record.stage = stage;
        record.stageStartedAt = new Date(s.createdAt);
        record.approvedStage = undefined;
        record.reported = undefined;
        record.errors = 0;
        record.status = 'active';
      }
      if (action === 'approve') record.approvedStage = stage;
      if (action === 'hold') record.errors = Number(m[5] ?? 0);
      if (action === 'pause') record.status = 'paused';
      if (action === 'hand' || action === 'off') record.reported = `${action}:${Number(m[2])}`;
    }
    if (s.state === 'failure' || s.state === 'inactive' || s.state === 'error') record.status = 'rolled_back';
    else if (s.state === 'success') record.status = 'complete';
  }
  return record;
}
