import { SCHEMA_URL, TIERS, type Tier } from './schema.js';

/** What `init` found in the repository. */
export interface RepoFacts {
  /** The eval tool, when one is recognised, with where it was seen. */
  tool?: { name: EvalTool; seen: string };
  /** Workflow files that look like a deploy (name or a production environment). */
  deployWorkflows: string[];
  /** The first person (not a team) in CODEOWNERS. */
  owner?: string;
  /** A model id seen in the eval tool's config. */
  model?: string;
}

export type EvalTool = 'promptfoo' | 'inspect' | 'lm-eval' | 'openai-evals' | 'deepeval' | 'pytest' | 'braintrust';

/** Where each tool's results go, as the README's recipes write them, and the command that writes them. */
export const RECIPES: Record<EvalTool, { results: string; command: string }> = {
  promptfoo: {
    results: 'evals/out/results.json',
    command: 'npx --yes promptfoo@latest eval -c promptfooconfig.yaml -o evals/out/results.json',
  },
  inspect: {
    results: 'evals/out/*.eval',
    command: 'inspect eval evals/task.py --model openai/gpt-4o --log-dir evals/out',
  },
  'lm-eval': {
    results: 'evals/out/**/samples_*.jsonl',
    command: 'lm_eval --model hf --model_args pretrained=ORG/MODEL --tasks TASK --output_path evals/out --log_samples',
  },
  'openai-evals': {
    results: 'evals/out/record.jsonl',
    command: 'oaieval MODEL EVAL --record_path evals/out/record.jsonl',
  },
  deepeval: {
    results: 'evals/out/*.json',
    command: 'DEEPEVAL_RESULTS_FOLDER=evals/out deepeval test run tests/',
  },
  pytest: { results: 'evals/out/junit.xml', command: 'pytest evals/ --junitxml=evals/out/junit.xml' },
  braintrust: {
    results: 'evals/out/braintrust.jsonl',
    command: 'mkdir -p evals/out && npx braintrust eval --jsonl evals/ > evals/out/braintrust.jsonl',
  },
};

export function isTier(value: string): value is Tier {
  return (TIERS as readonly string[]).includes(value);
}

/**
 * A starter config: what the repository says filled in, nothing invented. What it cannot know (what a
 * bad output costs, tracing, budgets) is left out, so the readiness path names it as the next step.
 */
export function starterConfig(facts: RepoFacts, tier: Tier, service: string): string {
  const recipe = facts.tool ? RECIPES[facts.tool.name] : undefined;
  const lines = [
    `# yaml-language-server: $schema=${SCHEMA_URL}`,
    '# Written by `llm-release-gate init`. Every key: docs/config.md. Paths are relative to the repository root.',
    'version: 1',
    `service: ${yamlString(service)}`,
    '',
    '# 1 target: the risk tier decides which bars block; say what one wrong output costs.',
    `risk: { tier: ${tier} }`,
    '',
    '# 2 evals: the results your eval step writes, and the pass bar.',
    'evals:',
    `  results: ${yamlString(recipe?.results ?? 'evals/out/results.jsonl')}${
      recipe
        ? `   # ${facts.tool!.name} (seen in ${facts.tool!.seen}): ${facts.tool!.name === 'promptfoo' ? recipe.command.replace('promptfooconfig.yaml', facts.tool!.seen) : recipe.command}`
        : '   # no eval tool recognised: write native JSONL, one {"id", "pass", "score"} per case'
    }`,
    '  metrics:',
    '    - { name: pass_rate, min: 0.9 }',
  ];
  const deploy = [
    facts.model ? `model: ${yamlString(facts.model)}` : undefined,
    facts.deployWorkflows[0] ? `workflow: ${yamlString(facts.deployWorkflows[0])}` : undefined,
  ].filter(Boolean);
  if (deploy.length > 0)
    lines.push('', '# 3 deploy: the pinned model in production and the way back.', `deploy: { ${deploy.join(', ')} }`);
  if (facts.owner)
    lines.push(
      '',
      '# 7 owner: one person (from CODEOWNERS) and where incidents go.',
      `owner: { name: ${yamlString(facts.owner)} }`,
    );
  return `${lines.join('\n')}\n`;
}

/**
 * A YAML string scalar: plain only when YAML reads it back as that same string (not a number, a
 * boolean, null, an indicator), else quoted.
 */
function yamlString(s: string): string {
  const plain = /^[A-Za-z_./][\w ./@*:-]*$/.test(s) && !/[:#]\s|:$|\s$/.test(s);
  return plain && !/^(true|false|null|yes|no|on|off|y|n|~)$/i.test(s) ? s : JSON.stringify(s);
}
