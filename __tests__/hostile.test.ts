import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseConfig } from '../src/config/load.js';
import { refProblem } from '../src/config/refs.js';
import { gitShow } from '../src/engine/git.js';
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
