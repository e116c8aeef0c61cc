import { parse } from 'yaml';
import type { GitHubFacts } from '../gate/decide.js';
import type { FactQuestions, Facts } from '../github/gate-api.js';

/** The few config values the API questions need, read leniently (the gate validates the config itself). */
interface ConfigPeek {
  evals?: { baseline?: unknown };
  risk?: { tier?: unknown };
  owner?: { name?: unknown };
  deploy?: { workflow?: unknown };
  guardrails?: { human_approval?: { environment?: unknown } };
}

/** What the readiness bars ask GitHub, for the values a config names. */
export function factQuestions(configText: string | undefined, headSha: string): FactQuestions {
  const cfg = peek(configText);
  const tier = cfg?.risk?.tier;
  const str = (v: unknown) => (typeof v === 'string' && v.length > 0 ? v : undefined);
  const login = str(cfg?.owner?.name);
  const workflow = str(cfg?.deploy?.workflow);
  const baseline = cfg?.evals?.baseline as { ref?: unknown; path?: unknown } | undefined;
  const ref = str(baseline?.ref);
  const file = str(baseline?.path);
  return {
    baselineAt: ref && file ? { ref, path: file } : undefined,
    existsAt: workflow ? { sha: headSha, path: workflow } : undefined,
    login: login && !login.includes('/') ? login : undefined,
    // Required reviewers matter at the high and critical tiers (and when no tier is set: judged as high).
    environment: tier === 'low' || tier === 'medium' ? undefined : str(cfg?.guardrails?.human_approval?.environment),
  };
}

/** The API's answers as the bars read them. */
export function gitHubFacts(facts: Facts, q: FactQuestions, headSha: string): GitHubFacts {
  return {
    ref: headSha,
    workflowExists: facts.existsAt,
    ownerKind: facts.ownerKind,
    environment: facts.environment,
    baseline: q.baselineAt ? { ...q.baselineAt, text: facts.baselineAt } : undefined,
    unanswered: {
      workflowExists: facts.unanswered.existsAt,
      ownerKind: facts.unanswered.ownerKind,
      environment: facts.unanswered.environment,
    },
  };
}

function peek(text: string | undefined): ConfigPeek | undefined {
  try {
    const v: unknown = text ? parse(text) : undefined;
    return typeof v === 'object' && v !== null ? (v as ConfigPeek) : undefined;
  } catch {
    return undefined;
  }
}
