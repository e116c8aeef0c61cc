import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ConfigurationError } from '../errors.js';
import { isTier, starterConfig, type EvalTool, type RepoFacts } from '../config/starter.js';
import type { Tier } from '../config/schema.js';
import type { Verdict } from '../gate/verdict.js';

/** A file's text, or '' when it is missing, unreadable or too large to be a config. */
function text(file: string): string {
  try {
    return statSync(file).size < 1024 * 1024 ? readFileSync(file, 'utf8') : '';
  } catch {
    return '';
  }
}

function filesIn(dir: string): string[] {
  try {
    return readdirSync(dir).sort();
  } catch {
    return [];
  }
}

/** What the repository at `root` says: its eval tool, deploy workflows, owner, model. */
export function lookAtRepository(root: string): RepoFacts {
  const facts: RepoFacts = { deployWorkflows: [] };
  const at = (rel: string) => path.join(root, rel);

  // The eval tool: its own config file first, then the dependencies that name it.
  for (const dir of ['', 'evals', 'eval', 'tests', 'test']) {
    const found = filesIn(at(dir)).find((f) => /^promptfooconfig\.(ya?ml|json)$/.test(f));
    if (found) {
      const rel = path.posix.join(dir, found);
      facts.tool = { name: 'promptfoo', seen: rel };
      facts.model = promptfooModel(text(at(rel)));
      break;
    }
  }
  if (!facts.tool) {
    const deps = ['pyproject.toml', 'requirements.txt', 'requirements-dev.txt', 'setup.cfg', 'package.json']
      .map((f) => ({ f, t: text(at(f)) }))
      .filter(({ t }) => t);
    const mentions: [EvalTool, RegExp][] = [
      ['inspect', /\binspect[-_]ai\b/i],
      ['deepeval', /\bdeepeval\b/i],
      ['lm-eval', /\blm[-_]eval\b/i],
      ['braintrust', /"braintrust"|\bbraintrust\b/i],
      ['promptfoo', /"promptfoo"/],
      ['pytest', /\bpytest\b/],
    ];
    for (const [name, re] of mentions) {
      const hit = deps.find(({ t }) => re.test(t));
      if (hit) {
        facts.tool = { name, seen: hit.f };
        break;
      }
    }
  }

  // Deploy workflows: named so, or deploying to an environment called production.
  for (const f of filesIn(at('.github/workflows'))) {
    if (!/\.ya?ml$/.test(f)) continue;
    const body = text(at(`.github/workflows/${f}`));
    if (/llm-release-gate/.test(body)) continue;
    if (/deploy|release|publish|\bcd\b/i.test(f) || /environment:\s*(\{?\s*name:\s*)?['"]?production/i.test(body))
      facts.deployWorkflows.push(`.github/workflows/${f}`);
  }

  // The owner: the first person in CODEOWNERS (a team, @org/team, is not one person).
  for (const f of ['.github/CODEOWNERS', 'CODEOWNERS', 'docs/CODEOWNERS']) {
    const person = text(at(f))
      .split('\n')
      .filter((l) => !l.trim().startsWith('#'))
      .flatMap((l) => l.trim().split(/\s+/).slice(1))
      .find((o) => /^@[A-Za-z0-9-]+$/.test(o));
    if (person) {
      facts.owner = person;
      break;
    }
  }
  return facts;
}

function packageName(pkg: string): string | undefined {
  try {
    const name = (JSON.parse(pkg) as { name?: unknown }).name;
    return typeof name === 'string' && name ? name : undefined;
  } catch {
    return undefined;
  }
}

/** The model of promptfoo's first provider ("openai:gpt-4o-2024-08-06" → the id after the last colon). */
function promptfooModel(config: string): string | undefined {
  try {
    const doc = parse(config) as { providers?: unknown } | null;
    const providers = ([] as unknown[]).concat(doc?.providers ?? []);
    const first = providers[0];
    const id = typeof first === 'string' ? first : (first as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string' || /^(file|exec|python|http|https|webhook|echo):/.test(id)) return undefined;
    // The id after the provider, and after its API kind: "ollama:chat:llama3.1:8b" → "llama3.1:8b",
    // "bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0" → "anthropic.claude-3-5-sonnet-20241022-v2:0".
    const model = id
      .replace(/^[^:]+:/, '')
      .replace(/^(chat|completion|completions|embedding|embeddings|responses):/, '');
    return model && model !== id ? model : undefined;
  } catch {
    return undefined;
  }
}

/** The readiness path in order: each of the seven steps done or not, the first one missing named. */
export function readinessPath(v: Verdict): string {
  const lines = ['Readiness path (in order: each step counts once the ones before it hold):'];
  let next: string | undefined;
  for (const b of v.bars) {
    const done = b.status === 'pass' || b.status === 'warn';
    const missing = b.findings.find((f) => f.status === 'fail');
    const what = missing?.text ?? (b.status === 'blocked' ? `after ${b.blocked_by.join(', ')}` : '');
    lines.push(`  ${b.id} ${b.name.padEnd(14)} ${done ? 'done' : `to do: ${what}`}`);
    if (!done && missing && !next) next = `${b.name}: ${missing.text}`;
  }
  if (next) lines.push('', `Next: ${next}`);
  return `${lines.join('\n')}\n`;
}

export interface InitOptions {
  root: string;
  config: string;
  tier?: string;
  force: boolean;
  ask?: (question: string) => Promise<string>;
}

/** Writes the starter config; returns its path relative to the root. */
export async function init(opts: InitOptions): Promise<{ file: string; facts: RepoFacts; tier: Tier }> {
  const file = path.resolve(opts.root, opts.config);
  const rel = path.relative(opts.root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel))
    throw new ConfigurationError(
      `${opts.config} is outside the repository (${opts.root}): the gate reads its config from inside it.`,
    );
  if (existsSync(file) && !opts.force)
    throw new ConfigurationError(
      `${path.relative(opts.root, file)} already exists: init never overwrites a config (--force to replace it).`,
    );
  let tier = opts.tier;
  if (tier === undefined && opts.ask)
    tier = (
      await opts.ask('Risk tier: what one bad output costs decides which bars block. low, medium, high or critical? ')
    ).trim();
  if (tier === undefined)
    throw new ConfigurationError('Say the risk tier: llm-release-gate init --tier low|medium|high|critical.');
  if (!isTier(tier)) throw new ConfigurationError(`Unknown risk tier '${tier}': use low, medium, high or critical.`);
  const facts = lookAtRepository(opts.root);
  const service = packageName(text(path.join(opts.root, 'package.json'))) ?? path.basename(opts.root);
  try {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, starterConfig(facts, tier, service));
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new ConfigurationError(
      `Cannot write ${rel}: ${code === 'EISDIR' ? 'it is a directory' : code === 'EEXIST' || code === 'ENOTDIR' ? 'a file stands where a folder of its path should be' : code === 'EACCES' ? 'permission denied' : (code ?? String(err))}. Choose another path with --config.`,
    );
  }
  return { file: path.relative(opts.root, file), facts, tier };
}
