import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { refProblem } from '../src/config/refs.js';
import { gitShow } from '../src/engine/git.js';
import { loadConfigFile } from '../src/engine/run-gate.js';
import { loadRun } from '../src/results/load.js';
import { ConfigurationError } from '../src/errors.js';
import { startsWithTestsuite } from '../src/results/adapters/junit.js';

/** Issue #13, first pieces: inputs a pull request controls. */
describe('hostile inputs', () => {
  it('JUnit detection is a linear scan: a comment bomb is answered at once', () => {
    expect(startsWithTestsuite(`${'<!---->'.repeat(40)}x`)).toBe(false);
    expect(startsWithTestsuite(`${'<!--'.repeat(100_000)}`)).toBe(false);
    expect(startsWithTestsuite('<?xml version="1.0"?>\n<!-- pytest -->\n<testsuites name="x">')).toBe(true);
    expect(startsWithTestsuite('<testsuite>')).toBe(true);
    expect(startsWithTestsuite('<testsuitex>')).toBe(false);
  });

  it('a baseline ref that is an option never reaches git: a config error, and git show refuses it', async () => {
    const cfg = (ref: string) =>
      `version: 1\nservice: s\nevals:\n  results: r.jsonl\n  baseline: { ref: "${ref}", path: evals/b.jsonl }\n`;
    const err = (() => {
      try {
        parseConfig(cfg('--output=/tmp/pwned'), 'g.yml');
      } catch (e) {
        return e as ConfigurationError;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(ConfigurationError);
    expect(err!.problems[0]).toMatchObject({ path: 'evals.baseline.ref' });
    expect(err!.problems[0]!.message).toMatch(/starts with "-"/);
    for (const bad of ['main..x', 'a b', 'x:y', '-x', 'ref@{1}', '.hidden/x', 'x.lock'])
      expect(refProblem(bad)).toBeDefined();
    for (const good of ['main', 'release/v1.2', 'origin/main', 'abc1234', 'a'.repeat(40)])
      expect(refProblem(good)).toBeUndefined();

    const repo = mkdtempSync(path.join(os.tmpdir(), 'lrg-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: repo, stdio: 'pipe' });
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'ci');
    writeFileSync(path.join(repo, 'f.txt'), 'x\n');
    git('add', '.');
    git('commit', '-qm', 'x');
    const target = path.join(repo, 'written-by-git');
    expect(await gitShow(`--output=${target}`, 'f.txt', repo)).toBeUndefined();
    expect(existsSync(target)).toBe(false);
    expect(await gitShow('main', '../outside', repo)).toBeUndefined();
    expect(await gitShow('main', 'f.txt', repo)).toBe('x\n');
  });

  it("token_env may not name the runner's own variables (a config could send the GitHub token anywhere)", () => {
    for (const name of ['INPUT_GITHUB-TOKEN', 'ACTIONS_RUNTIME_TOKEN', 'GITHUB_TOKEN', 'github_token']) {
      const text = `version: 1\nservice: s\nrollout:\n  flag: { provider: webhook, key: k, url: "https://hooks.example/x", token_env: "${name}" }\n`;
      let problems: string[] = [];
      try {
        parseConfig(text, 'g.yml');
      } catch (e) {
        problems = (e as ConfigurationError).problems.map((p) => `${p.path}: ${p.message}`);
      }
      expect(problems.join('\n')).toMatch(
        /rollout.flag.token_env: (is not an environment variable name|names one of the runner's own variables)/,
      );
    }
    expect(() =>
      parseConfig(
        'version: 1\nservice: s\nrollout:\n  flag: { provider: webhook, key: k, url: "https://hooks.example/x", token_env: FLAGS_TOKEN }\n',
        'g.yml',
      ),
    ).not.toThrow();
  });

  it('a YAML alias bomb is "too complex", not a bug', () => {
    const bomb = [
      'version: 1',
      'service: s',
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]',
      'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]',
      'e: [*d,*d,*d,*d,*d,*d,*d,*d,*d]',
    ].join('\n');
    let err: unknown;
    try {
      parseConfig(bomb, 'g.yml');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).message).toMatch(/is too complex/);
  });
});

describe('the workspace is the boundary', () => {
  const ws = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-ws-'));
    const outside = mkdtempSync(path.join(os.tmpdir(), 'lrg-outside-'));
    writeFileSync(path.join(outside, 'secret.jsonl'), '{"id": "ghp_token", "pass": true}\n');
    return { dir, outside };
  };

  it.each([
    ['an absolute path', (o: string) => path.join(o, 'secret.jsonl')],
    ['a ".." path', (o: string, d: string) => path.relative(d, path.join(o, 'secret.jsonl'))],
  ])('results through %s are refused, unread', async (_, where) => {
    const { dir, outside } = ws();
    const err = await loadRun([where(outside, dir)], { format: 'auto', cwd: dir }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigurationError);
    expect((err as ConfigurationError).message).toMatch(/is outside the workspace/);
  });

  it('a symbolic link committed in the pull request and matched by a glob is not followed out', async () => {
    const { dir, outside } = ws();
    mkdirSync(path.join(dir, 'evals'));
    writeFileSync(path.join(dir, 'evals', 'a.jsonl'), '{"id": "a", "pass": true}\n');
    symlinkSync(path.join(outside, 'secret.jsonl'), path.join(dir, 'evals', 'b.jsonl'));
    // the glob does not follow the link: only the file inside is read
    const run = await loadRun(['evals/*.jsonl'], { format: 'auto', cwd: dir, pairing: true });
    expect(run.all.total).toBe(1);
    expect(run.ids).toEqual(['a']);
    // and named directly
    const direct = await loadRun(['evals/b.jsonl'], { format: 'auto', cwd: dir }).catch((e: unknown) => e);
    expect((direct as ConfigurationError).message).toMatch(/evals\/b.jsonl is outside the workspace/);
  });

  it('a config outside the workspace is refused', async () => {
    const { dir, outside } = ws();
    writeFileSync(path.join(outside, 'gate.yml'), 'version: 1\nservice: s\n');
    await expect(loadConfigFile(path.join(outside, 'gate.yml'), dir)).rejects.toThrow(/is outside the workspace/);
  });
});
