import { needsHumanApproval } from '../tiers.js';
import type { Finding } from '../verdict.js';
import { fail, metricFinding, pass, unknownFact, type BarContext } from './context.js';

/** 5 guardrails: the guardrail checks hold; high-consequence tiers need a human approval step. */
export function judgeGuardrails({ config, tier, metrics, facts }: BarContext): Finding[] {
  const out: Finding[] = [];
  const guard = config.guardrails;
  if (!guard || guard.checks.length === 0)
    out.push(
      fail(
        'no guardrail checks: add guardrails.checks (e.g. { name: score.jailbreak_refusal, min: 0.99 })',
        'guardrails',
      ),
    );
  for (const m of metrics.filter((x) => x.bar === 'guardrails')) out.push(metricFinding(m));
  if (needsHumanApproval(tier)) {
    const env = guard?.human_approval?.environment;
    const gh = facts.github?.environment;
    const key = 'guardrails.human_approval.environment';
    const why = facts.github?.unanswered?.environment;
    out.push(
      env && why
        ? unknownFact(`the required reviewers of environment ${env}`, why, key)
        : !env
          ? fail(
              `the ${tier} tier needs a human approval step: set guardrails.human_approval.environment to an environment with required reviewers`,
              'guardrails',
            )
          : gh === undefined
            ? pass(
                `human approval through environment ${env} (judged from the config; its required reviewers were not checked through the GitHub API)`,
                key,
              )
            : gh === null
              ? fail(
                  `environment ${env} does not exist: create it under Settings → Environments with required reviewers`,
                  key,
                )
              : gh.reviewers > 0
                ? pass(`environment ${env} requires reviewers (${gh.reviewers})`, key)
                : fail(
                    `environment ${env} has no required reviewers: add them under Settings → Environments, or the approval step is a formality`,
                    key,
                  ),
    );
  }
  return out;
}
