import { ConfigurationError } from '../errors.js';

/** Every action input, read once and validated (SPEC §2). */
export interface Inputs {
  command: 'gate' | 'rollout' | 'promote' | 'rollback';
  config: string;
  results: string[];
  baseline?: string;
  githubToken: string;
  checkName: string;
  /** rollout commands: the commit being released (empty: found from the branch). */
  release?: string;
  comment: boolean;
  failOnBlock: boolean;
  configSource: 'base' | 'head';
  /** Seconds one GitHub API request may take, and the API side of the whole run. */
  apiTimeouts: { requestMs: number; deadlineMs: number };
}

const COMMANDS = ['gate', 'rollout', 'promote', 'rollback'] as const;
const SOURCES = ['base', 'head'] as const;

/** `get` returns the trimmed input value, '' when unset (the shape of @actions/core getInput). */
export function readInputs(get: (name: string) => string): Inputs {
  const problems: string[] = [];
  const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
    const v = get(name) || fallback;
    if ((allowed as readonly string[]).includes(v)) return v as T;
    problems.push(`Input '${name}' must be one of ${allowed.join(', ')}, got '${v}'.`);
    return fallback;
  };
  const bool = (name: string, fallback: boolean): boolean => {
    const v = get(name);
    if (v === '') return fallback;
    if (/^(true|yes|on)$/i.test(v)) return true;
    if (/^(false|no|off)$/i.test(v)) return false;
    problems.push(`Input '${name}' must be true or false, got '${v}'.`);
    return fallback;
  };
  const seconds = (name: string, fallback: number, max: number): number => {
    const v = get(name);
    if (v === '') return fallback * 1000;
    const n = Number(v);
    if (Number.isFinite(n) && n > 0 && n <= max) return n * 1000;
    problems.push(`Input '${name}' must be a number of seconds between 1 and ${max}, got '${v}'.`);
    return fallback * 1000;
  };
  const relativePath = (name: string, value: string): string => {
    if (value.split(/[\\/]/).includes('..'))
      problems.push(`Input '${name}' must point to a file inside the repository, got '${value}'.`);
    return value;
  };
  const inputs: Inputs = {
    command: oneOf('command', COMMANDS, 'gate'),
    config: relativePath('config', get('config') || '.github/llm-release-gate.yml'),
    results: get('results')
      .split(/\r?\n/)
      .map((s) => s.trim())
      .filter(Boolean)
      .map((r) => relativePath('results', r)),
    baseline: get('baseline') ? relativePath('baseline', get('baseline')) : undefined,
    // An expression left unexpanded (a local runner filling in action.yml's default) is no token.
    githubToken: get('github-token').startsWith('${{') ? '' : get('github-token'),
    checkName: get('check-name') || 'LLM release gate',
    release: get('release') || undefined,
    comment: bool('comment', true),
    failOnBlock: bool('fail-on-block', true),
    configSource: oneOf('config-source', SOURCES, 'base'),
    apiTimeouts: { requestMs: seconds('api-timeout', 20, 300), deadlineMs: seconds('api-deadline', 180, 3600) },
  };
  if (problems.length > 0) {
    throw new ConfigurationError(
      'The action inputs are invalid.',
      problems.map((message) => ({ file: 'workflow inputs', message })),
    );
  }
  return inputs;
}
