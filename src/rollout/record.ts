import type { DeploymentRecord, RolloutAction } from './reconcile.js';

/**
 * The rollout's state lives in deployment statuses, one per change of state, each description
 * starting with a line the next tick reads back:
 *   "stage 2/4 · 10% · advance: <why>"        "stage 2/4 · 10% · hold · errors 2: <why>"
 *   "stage 3/4 · 50% · approve by @bob: ..."  (GitHub caps descriptions at 140 characters)
 */
export function describeStatus(
  action: RolloutAction | 'approve' | 'pause' | 'supersede',
  stage: number,
  stages: number,
  percent: number,
  why: string,
  extra: { errors?: number; by?: string } = {},
): string {
  const head = `stage ${stage + 1}/${stages} · ${percent}% · ${action}${extra.by ? ` by @${extra.by.replace(/^@/, '')}` : ''}${extra.errors ? ` · errors ${extra.errors}` : ''}`;
  return `${head}: ${why}`.slice(0, 140);
}

const LINE = /^stage (\d+)\/\d+ · [\d.]+% · (\w+)(?: by @(\S+))?(?: · errors (\d+))?/;

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
    if (m) {
      const stage = Number(m[1]) - 1;
      const action = m[2];
      if (action === 'start' || action === 'advance') {
        record.stage = stage;
        record.stageStartedAt = new Date(s.createdAt);
        record.approvedStage = undefined;
      }
      if (action === 'approve') record.approvedStage = stage;
      record.errors = action === 'hold' ? Number(m[4] ?? 0) : 0;
      if (action === 'pause') record.status = 'paused';
    }
    if (s.state === 'failure' || s.state === 'inactive' || s.state === 'error') record.status = 'rolled_back';
    else if (s.state === 'success') record.status = 'complete';
  }
  return record;
}
