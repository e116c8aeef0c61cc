import { escapeMarkdown } from '../report/markdown.js';
import type { LoadedConfig } from '../config/load.js';
import { step, type DeploymentRecord, type RolloutDecision } from './reconcile.js';
import type { RolloutStore } from './store.js';

/** Said in a rollback's deployment status when its alert could not be opened (the next tick retries). */
export const ALERT_PENDING = '(alert pending)';

/** A rollback whose alert the service refused: open it now (the owner must hear of it). */
export async function retryPendingAlert(
  store: RolloutStore,
  loaded: LoadedConfig,
  record: DeploymentRecord,
  last: { state: string; description: string },
  log: string[],
): Promise<void> {
  if (record.status !== 'rolled_back' || !last.description.includes(ALERT_PENDING)) return;
  const d = step('none', 0, record.stage, 'the rollback alert was pending', '');
  d.alert = `Rolled back ${loaded.config.rollout!.flag.key}: ${last.description}`;
  const issue = await tryAlert(store, loaded, record.release, record, d);
  if (issue) {
    await store.status(
      record.id,
      'failure',
      `${last.description.replace(` ${ALERT_PENDING}`, '')} (alert #${issue.number})`,
    );
    log.push(`the pending rollback alert was opened: ${issue.url}`);
  }
}

/** The alert: its issue, undefined when the store has nowhere to send it, null when the service refused (said as a warning). */
export async function tryAlert(
  store: RolloutStore,
  loaded: LoadedConfig,
  release: string,
  record: DeploymentRecord | undefined,
  d: RolloutDecision,
): Promise<{ number: number; url: string } | undefined | null> {
  const owner = loaded.config.owner?.name;
  const rows = d.evidence.map(
    (e) => `| ${escapeMarkdown(e.name, 80)} | ${e.status} | ${escapeMarkdown(e.detail, 300)} |`,
  );
  const body = [
    `${owner ? `@${owner.replace(/^@/, '')} ` : ''}${escapeMarkdown(d.alert ?? d.reason, 1000)}`,
    '',
    `Release: ${release}`,
    '',
    ...(rows.length ? ['| metric | status | evidence |', '| --- | --- | --- |', ...rows] : []),
    '',
    `Why: ${escapeMarkdown(d.reason, 1000)}`,
    `Next: ${escapeMarkdown(d.next, 600)}`,
  ].join('\n');
  const title = `${d.action === 'rollback' ? 'Rollback' : 'Rollout needs attention'}: ${loaded.config.service} ${release.slice(0, 12)}`;
  try {
    return await store.alert(title, body, record?.release === release ? record.alertIssue : undefined);
  } catch (err) {
    d.warnings.push(
      `The alert could not be sent (${err instanceof Error ? err.message : String(err)}); the next run tries again.`,
    );
    return null;
  }
}
