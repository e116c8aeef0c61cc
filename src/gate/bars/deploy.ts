import { fail, pass, unknownFact, type BarContext } from './context.js';
import type { Finding } from '../verdict.js';

/** 3 deploy: a pinned model, a rollback path, the deploy workflow in the repository. */
export function judgeDeploy({ config, facts }: BarContext): Finding[] {
  const out: Finding[] = [];
  const deploy = config.deploy;
  if (!deploy?.model) out.push(fail('deploy.model is not set: name the exact model snapshot in production', 'deploy'));
  else {
    const pin = modelPinning(deploy.model);
    out.push(
      pin.pinned
        ? pass(`model pinned: ${pin.why}`, 'deploy.model')
        : deploy.model_pinned
          ? pass(
              `model pinned, as the config says: "${deploy.model}" (${deploy.model_pinned_reason ?? 'no reason given'})`,
              'deploy.model_pinned',
            )
          : fail(
              `model not pinned: ${pin.why}; use a dated or versioned model id, or set deploy.model_pinned: true with deploy.model_pinned_reason when the provider guarantees the id never changes`,
              'deploy.model',
            ),
    );
  }
  out.push(
    config.rollout
      ? pass(`rollback path: feature flag ${config.rollout.flag.key} (${config.rollout.flag.provider})`, 'rollout.flag')
      : deploy?.workflow
        ? pass(`rollback path: redeploy through ${deploy.workflow}`, 'deploy.workflow')
        : fail('no rollback path: configure rollout (a feature flag) or deploy.workflow', 'deploy'),
  );
  if (deploy?.workflow) {
    const gh = facts.github?.workflowExists;
    const at = facts.github?.ref ? ` at ${facts.github.ref.slice(0, 12)}` : '';
    const key = 'deploy.workflow';
    const why = facts.github?.unanswered?.workflowExists;
    out.push(
      why
        ? unknownFact(`that deploy workflow ${deploy.workflow} exists`, why, key)
        : gh !== undefined
          ? gh
            ? pass(`deploy workflow ${deploy.workflow} exists${at}`, key)
            : fail(`deploy.workflow ${deploy.workflow} does not exist${at}: commit it or fix the path`, key)
          : facts.fileExists(deploy.workflow)
            ? pass(`deploy workflow ${deploy.workflow} exists in the checkout`, key)
            : fail(`deploy.workflow ${deploy.workflow} does not exist in the checkout: commit it or fix the path`, key),
    );
  }
  return out;
}

/** A model id that floats (an alias that a provider re-points) rather than a pinned snapshot. */
export function modelPinning(model: string): { pinned: boolean; why: string } {
  const m = model.trim();
  if (
    /(^|[-_:/@.])(latest|stable|default|current|preview|exp|experimental|beta|nightly)$/i.test(m) ||
    /latest/i.test(m)
  ) {
    return { pinned: false, why: `"${m}" is a moving alias` };
  }
  // Dated snapshots (gpt-4o-2024-08-06, claude-3-5-sonnet-20241022, mistral-large-2411, gpt-4-0613),
  // numbered revisions (gemini-1.5-pro-002), explicit versions (:v2, @sha256:…, -v1.2, @<commit>).
  const pinnedPatterns = [
    /\d{4}-?\d{2}-?\d{2}/,
    /-\d{3,4}$/,
    /@sha256:[0-9a-f]{12,}/i,
    /[:@]v?\d+(\.\d+)*$/i,
    /-v\d+(\.\d+)*$/i,
    /@[0-9a-f]{7,40}$/i,
  ];
  if (pinnedPatterns.some((p) => p.test(m))) return { pinned: true, why: `"${m}" names a fixed snapshot` };
  return { pinned: false, why: `"${m}" has no snapshot date or version, so the provider can change it under you` };
}
