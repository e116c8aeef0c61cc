import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parse } from 'yaml';
import { baseConfigFile, chooseConfig } from '../src/action/config-source.js';
import { readInputs } from '../src/action/inputs.js';
import { OUTPUT_NAMES, Outputs } from '../src/action/outputs.js';
import { ConfigurationError } from '../src/errors.js';
import type { RunContext } from '../src/github/context.js';
import { ROOT } from './helpers.js';

const action = parse(readFileSync(path.join(ROOT, 'action.yml'), 'utf8')) as {
  description: string;
  runs: { using: string; main: string };
  inputs: Record<string, { default?: string }>;
  outputs: Record<string, unknown>;
};

describe('a releasable action', () => {
  it('fits the Marketplace: a description of at most 125 characters, a current Node runtime', () => {
    expect(action.description.length).toBeLessThanOrEqual(125);
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/index.js' });
  });

  it('publishes the CLI with everything bundled: no runtime dependencies, the bundle and its licences in the package', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
    expect(pkg.private).toBeUndefined();
    expect(pkg.dependencies).toBeUndefined();
    expect(pkg.bin).toEqual({ 'llm-release-gate': 'dist/cli.js' });
    expect(pkg.files).toEqual(expect.arrayContaining(['dist/', 'LICENSE']));
    const licences = readFileSync(path.join(ROOT, 'dist/licenses.txt'), 'utf8');
    for (const bundled of ['@actions/core@', 'yaml@', 'undici@']) expect(licences).toContain(bundled);
  });
});
const inputsOf = (values: Record<string, string>) => readInputs((name) => values[name] ?? '');

describe('action inputs', () => {
  it("takes an unexpanded '${{ github.token }}' (a local runner filling in the default) as no token", () => {
    expect(inputsOf({ 'github-token': '${{ github.token }}' }).githubToken).toBe('');
    expect(inputsOf({ 'github-token': 'ghs_abc' }).githubToken).toBe('ghs_abc');
  });

  it('reads the defaults action.yml documents', () => {
    const i = inputsOf({});
    expect(i).toEqual({
      command: 'gate',
      config: action.inputs.config!.default,
      results: [],
      baseline: undefined,
      githubToken: '',
      checkName: action.inputs['check-name']!.default,
      comment: true,
      failOnBlock: true,
      configSource: 'base',
      apiTimeouts: {
        requestMs: Number(action.inputs['api-timeout']!.default) * 1000,
        deadlineMs: Number(action.inputs['api-deadline']!.default) * 1000,
      },
    });
  });

  it('reads lists, booleans and choices', () => {
    const i = inputsOf({
      results: 'a.json\r\n  b/*.jsonl \n\n',
      comment: 'off',
      'fail-on-block': 'FALSE',
      command: 'rollback',
      'config-source': 'head',
    });
    expect(i).toMatchObject({
      results: ['a.json', 'b/*.jsonl'],
      comment: false,
      failOnBlock: false,
      command: 'rollback',
      configSource: 'head',
    });
  });

  it('names every bad input at once, with what it expects', () => {
    let err: unknown;
    try {
      inputsOf({ command: 'deploy', comment: 'maybe', config: '../secrets.yml', results: 'ok.json\n../../etc/x' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).problems.map((p) => p.message)).toEqual([
      "Input 'command' must be one of gate, rollout, promote, rollback, got 'deploy'.",
      "Input 'config' must point to a file inside the repository, got '../secrets.yml'.",
      "Input 'results' must point to a file inside the repository, got '../../etc/x'.",
      "Input 'comment' must be true or false, got 'maybe'.",
    ]);
  });
});

describe('action outputs', () => {
  it('are exactly the outputs action.yml declares', () => {
    expect([...OUTPUT_NAMES].sort()).toEqual(Object.keys(action.outputs).sort());
  });

  it('are written once each, blocking by default', () => {
    const written: [string, string][] = [];
    const o = new Outputs();
    o.set('readiness', '6/7');
    o.write((name, value) => written.push([name, value]));
    expect(written.map(([n]) => n)).toEqual([...OUTPUT_NAMES]);
    expect(Object.fromEntries(written)).toMatchObject({
      decision: 'block',
      readiness: '6/7',
      'rollout-action': 'none',
    });
  });
});

describe('config source', () => {
  const ctx = { pullNumber: 7, baseSha: 'b'.repeat(40) } as RunContext;
  const inputs = inputsOf({});
  const BASE = 'version: 1\nservice: s\nevals: { metrics: [{ name: pass_rate, min: 0.9 }] }\n';
  const HEAD = 'version: 1\nservice: s\nevals: { metrics: [{ name: pass_rate, min: 0.3 }] }\n';

  it('applies on pull requests with config-source: base only', () => {
    expect(baseConfigFile(inputs, ctx)).toEqual({ sha: ctx.baseSha, path: inputs.config });
    expect(baseConfigFile({ ...inputs, configSource: 'head' }, ctx)).toBeUndefined();
    expect(baseConfigFile(inputs, { ...ctx, pullNumber: undefined })).toBeUndefined();
  });

  it('uses the base branch’s config and names what the pull request changes', async () => {
    const r = await chooseConfig('gate.yml', ROOT, { sha: 'b', path: 'gate.yml' }, BASE, HEAD);
    expect(r.configText).toBe(BASE);
    expect(r.notices[0]).toMatch(
      /changes gate.yml: evals.metrics.0.min \(0.9 → 0.3\)\. The base branch's config was used/,
    );
  });

  it('uses the pull request’s own config when the base has none yet (it adds the gate)', async () => {
    const r = await chooseConfig('gate.yml', ROOT, { sha: 'b', path: 'gate.yml' }, null, HEAD);
    expect(r.configText).toBeUndefined();
    expect(r.notices[0]).toMatch(/has no gate.yml yet/);
  });

  it('reads the base commit with git show when the API was not asked', async () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'lrg-cs-'));
    const git = (...args: string[]) =>
      execFileSync('git', args, {
        cwd: repo,
        encoding: 'utf8',
        env: {
          ...process.env,
          GIT_AUTHOR_NAME: 't',
          GIT_AUTHOR_EMAIL: 't@t',
          GIT_COMMITTER_NAME: 't',
          GIT_COMMITTER_EMAIL: 't@t',
        },
      }).trim();
    git('init', '-q');
    writeFileSync(path.join(repo, 'gate.yml'), BASE);
    git('add', '.');
    git('commit', '-qm', 'base');
    const sha = git('rev-parse', 'HEAD');
    writeFileSync(path.join(repo, 'gate.yml'), HEAD);
    const r = await chooseConfig('gate.yml', repo, { sha, path: 'gate.yml' }, undefined, HEAD);
    expect(r.configText).toBe(BASE);
  });
});
