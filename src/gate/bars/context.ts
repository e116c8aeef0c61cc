import type { Config, Tier } from '../../config/schema.js';
import type { Problem } from '../../errors.js';
import { showValue } from '../../metrics/display.js';
import type { Run } from '../../results/model.js';
import type { BaselineState } from '../thresholds.js';
import type { Finding, MetricResult } from '../verdict.js';

/** What the gate knows about the repository and the change, gathered by the entry point. */
export interface RepoFacts {
  /** Does a repository-relative file exist in the checkout? */
  fileExists(path: string): boolean;
  /** Commits that count as "this change" (the PR head, the pushed or merge SHA). Empty when unknown. */
  commits: string[];
  /** Answers from the GitHub API; absent without a token or when the API could not be asked. */
  github?: GitHubFacts;
}

export interface GitHubFacts {
  /** The commit the deploy workflow was looked up at. */
  ref?: string;
  workflowExists?: boolean;
  /** 'User', 'Organization', or null when no account has the owner's login. */
  ownerKind?: 'User' | 'Organization' | null;
  /** Required reviewers of guardrails.human_approval.environment; null when it does not exist. */
  environment?: { reviewers: number } | null;
  /** evals.baseline { ref, path } read through the API: null when not there, undefined when it could not be read. */
  baseline?: { ref: string; path: string; text?: string | null };
  /** Facts asked that GitHub did not answer, with why: the check is unknown, and unknown is not a pass. */
  unanswered?: { workflowExists?: string; ownerKind?: string; environment?: string };
}

/** A check that could not be made because GitHub did not answer: it fails (blocking where its bar blocks). */
export function unknownFact(what: string, why: string, configPath: string): Finding {
  return fail(
    `${what} could not be checked: ${why}. Re-run the job; if it persists, grant the token the permission GitHub names`,
    configPath,
  );
}

/** Results that could not be read: the problems, and a one-line summary. */
export interface LoadFailure {
  problems: Problem[];
  summary: string;
}

/** Everything a bar judges from: the config, the runs, the judged metrics, the repository facts. */
export interface BarContext {
  config: Config;
  tier: Tier;
  run?: Run;
  loadError?: LoadFailure;
  baseline: BaselineState;
  metrics: MetricResult[];
  facts: RepoFacts;
}

export const pass = (text: string, config_path: string): Finding => ({ status: 'pass', text, config_path });
export const warn = (text: string, config_path: string): Finding => ({ status: 'warn', text, config_path });
export const fail = (text: string, config_path: string): Finding => ({ status: 'fail', text, config_path });

/** A judged metric as its bar's finding: it fails the bar only when it blocks. */
export function metricFinding(m: MetricResult): Finding {
  return {
    status: m.blocks ? 'fail' : m.status !== 'pass' ? 'warn' : 'pass',
    text: m.reason,
    config_path: m.config_path,
    metric: true,
  };
}

export const pct = (x: number) => showValue('error_rate', x);
export const usd = (x: number) => showValue('cost_per_sample_usd', x);
