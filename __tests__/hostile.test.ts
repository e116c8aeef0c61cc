import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { refProblem } from '../src/config/refs.js';
import { gitShow } from '../src/engine/git.js';
import { loadConfigFile } from '../src/engine/run-gate.js';
import { loadRun } from '../src/results/load.js';
import { ConfigurationError } from '../src/errors.js';
import { scoresInText, startsWithTestsuite } from '../src/results/adapters/junit.js';
import { depthExceeded, MAX_JSON_DEPTH, MAX_LINE_BYTES } from '../src/results/files.js';
import { ZIP_LIMITS } from '../src/results/zip.js';
import { CaseTable } from '../src/results/cases.js';
import { zip } from '../bench/zip.mjs';
import { parseConfig } from './helpers.js';

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

/** Loads one file written into a fresh directory; the error's problems as "line: message" lines. */
async function problemsOf(name: string, data: string | Buffer): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-hostile-'));
  writeFileSync(path.join(dir, name), data);
  const err = await loadRun([name], { format: 'auto', cwd: dir }).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ConfigurationError);
  return (err as ConfigurationError).problems
    .map((p) => `${p.path ? `${p.path} ` : ''}${p.line ?? '-'}:${p.column ?? '-'} ${p.message}`)
    .join('\n');
}

async function runOf(name: string, data: string | Buffer) {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-hostile-'));
  writeFileSync(path.join(dir, name), data);
  return loadRun([name], { format: 'auto', cwd: dir, pairing: true });
}

describe('JUnit is read in one linear pass', () => {
  it('thousands of cases on one line keep their lines and ids; entities and CDATA decode', async () => {
    const cases = '<testcase classname="c" name="x"/>'.repeat(20_000);
    const run = await runOf(
      'r.xml',
      `<testsuite>\n${cases}\n<testcase name="a &amp; b &#x41;&#66;"><failure message="m &lt;1&gt;"><![CDATA[<raw> & text]]> more</failure></testcase></testsuite>`,
    );
    expect(run.all.total).toBe(20_001);
    const failed = run.failing[0]!;
    expect(failed).toMatchObject({ id: 'a & b AB', line: 3, message: 'm <1>\n<raw> & text more' });
  });

  it.each([
    ['<testsuite>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>', /2:1 not well-formed XML \(a DOCTYPE or declaration/],
    ['<testsuite name="<!--"></testsuite>', /1:18 not well-formed XML \(a "<" inside the value of name/],
    ['<testsuite>\n<testcase name="&bogus;"/></testsuite>', /2:17 not well-formed XML \(unknown entity &bogus;/],
    ['<testsuite>\n  <testcase name="x">', /2:22 not well-formed XML \(the XML ends inside <testcase>/],
    [
      `<testsuite>${'<a>'.repeat(200)}`,
      /1:309 not well-formed XML \(elements nested deeper than 100 levels; the limit is 100\)/,
    ],
    ['<testsuite a="1" a="2"/>', /not well-formed XML \(the attribute a appears twice/],
    ['<testsuite/><testsuite/>', /not well-formed XML \(a second root element/],
  ])('%s is named, at its line and column', async (xml, expected) => {
    expect(await problemsOf('r.xml', xml)).toMatch(expected);
  });

  it('DeepEval-style scores in failure text are found without a backtracking regex', () => {
    const into: Record<string, number> = {};
    scoresInText(
      'Metrics: Answer Relevancy (score: 0.5, threshold: 0.7, strict: False), 0.9 Faithfulness (score: 1e-3, threshold: 0.5)',
      into,
    );
    expect(into).toEqual({ answer_relevancy: 0.5, faithfulness: 0.001 });
    const hostile: Record<string, number> = {};
    scoresInText('a'.repeat(2_000_000), hostile);
    expect(hostile).toEqual({});
  });
});

describe('JSON size and depth limits', () => {
  it('a document nested past the limit is named with its line and column, before JSON.parse', async () => {
    expect(await problemsOf('r.json', `{"results":\n ${'['.repeat(100_000)}`)).toMatch(
      new RegExp(`2:${MAX_JSON_DEPTH + 1} arrays and objects nested deeper than ${MAX_JSON_DEPTH} levels`),
    );
    expect(depthExceeded(`["${'['.repeat(1000)}"]`)).toBe(-1); // brackets inside a string do not nest
    expect(depthExceeded(`["\\"${'['.repeat(1000)}"]`)).toBe(-1);
  });

  it('a JSONL line nested past the limit is a problem named on that line', async () => {
    const lines = `{"id":"a","pass":true}\n{"id":"b","pass":true,"m":${'['.repeat(600)}${']'.repeat(600)}}\n`;
    expect(await problemsOf('r.jsonl', lines)).toMatch(/^2:538 arrays and objects nested deeper than 512 levels/m);
  });

  it('a JSONL whose second line comes after 64 KiB of blank lines is read as JSON lines', async () => {
    const run = await runOf('r.jsonl', `{"id":"a","pass":true}\n${'\n'.repeat(70_000)}{"id":"b","pass":false}\n`);
    expect(run.all).toMatchObject({ total: 2, passed: 1, failed: 1 });
  });

  it('a JSONL whose first line is over 64 KiB is read as JSON lines', async () => {
    const run = await runOf('r.jsonl', `{"id":"a","pass":true,"m":"${'x'.repeat(70_000)}"}\n{"id":"b","pass":false}\n`);
    expect(run.all).toMatchObject({ total: 2, passed: 1, failed: 1 });
  });

  it(`a line over ${MAX_LINE_BYTES / 1048576} MiB is refused by name, first line or later`, async () => {
    const long = `{"id":"a","pass":true,"m":"${'x'.repeat(MAX_LINE_BYTES)}"}`;
    expect(await problemsOf('r.jsonl', `${long}\n{"id":"b","pass":true}\n`)).toMatch(
      /1:- line 1 is longer than 16 MiB; the limit is 16 MiB per line/,
    );
    expect(await problemsOf('r.jsonl', `{"id":"b","pass":true}\n${long}\n`)).toMatch(
      /2:- line 2 is longer than 16 MiB; the limit is 16 MiB per line/,
    );
  });

  it('a promptfoo CSV with more columns than the limit is refused by name', async () => {
    expect(await problemsOf('r.csv', `${'Status,'.repeat(3000)}x\n${'PASS,'.repeat(3000)}\n`)).toMatch(
      /1:- the header has 3001 columns; the limit is 2,000/,
    );
  });
});

describe('inspect .eval archives are read within named limits', () => {
  const header = JSON.stringify({ eval: { task: 't', model: 'm' }, status: 'success' });
  const sample = JSON.stringify({ id: 1, scores: { s: { value: 'C' } } });

  it('reads a valid archive', async () => {
    const run = await runOf(
      'log.eval',
      zip([
        { name: 'header.json', data: header },
        { name: 'samples/1_epoch_1.json', data: sample },
      ]),
    );
    expect(run.all).toMatchObject({ total: 1, passed: 1 });
  });

  it.each([
    [
      'an entry declared past the per-entry limit (never inflated)',
      [{ name: 'samples/1_epoch_1.json', data: sample, declared: ZIP_LIMITS.entryBytes + 1 }],
      /samples\/1_epoch_1.json -:- inflates to 64 MiB; the limit is 64 MiB per entry/,
    ],
    [
      'an entry compressed past the ratio',
      [{ name: 'samples/1_epoch_1.json', data: Buffer.alloc(4 * 1048576, 32) }],
      /samples\/1_epoch_1.json -:- is compressed \d+:1 \(.*\); the limit is 100:1 for entries over 1 MiB/,
    ],
    [
      'an entry inflating past what its header declares (a bomb that lies)',
      [{ name: 'samples/1_epoch_1.json', data: Buffer.alloc(100_000, 32), declared: 10 }],
      /samples\/1_epoch_1.json -:- inflates past the 10 bytes its header declares \(a ZIP bomb\?\)/,
    ],
  ])('%s is refused by name', async (_, entries, expected) => {
    expect(await problemsOf('log.eval', zip([{ name: 'header.json', data: header }, ...entries]))).toMatch(expected);
  });

  it('a damaged entry fails its CRC; too many entries are refused before any is read', async () => {
    const good = zip([
      { name: 'header.json', data: header },
      { name: 'samples/1_epoch_1.json', data: sample },
    ]);
    const damaged = Buffer.from(good);
    const at = 30 + 'header.json'.length + 5;
    damaged[at] = damaged[at]! ^ 0xff;
    expect(await problemsOf('log.eval', damaged)).toMatch(/header.json -:- (fails its CRC check|cannot be inflated)/);
    const saved = ZIP_LIMITS.entries;
    ZIP_LIMITS.entries = 1;
    try {
      expect(await problemsOf('log.eval', good)).toMatch(/the archive lists 2 entries; the limit is 1/);
    } finally {
      ZIP_LIMITS.entries = saved;
    }
  });
});

describe('case tables keyed by hash', () => {
  it('ids crafted to share the low 32 bits of their hash start probing at spread-out slots (no quadratic inserts)', () => {
    const table = new CaseTable();
    const starts = new Set<number>();
    for (let hi = 1; hi <= 1000; hi++) starts.add(table.start(hi * 0x100000000 + 0x12345678) & 4095);
    expect(starts.size).toBeGreaterThan(800);
    // and the same hash always starts at the same slot of a table, so every id is found again
    for (let hi = 1; hi <= 5000; hi++) table.row(hi * 0x100000000 + 0x12345678);
    expect(table.size).toBe(5000);
    expect(table.find(77 * 0x100000000 + 0x12345678)).toBe(76);
  });
});

describe('what the attack helper found (issue #13)', () => {
  it('many small entries that each stay under the ratio limit are stopped by the archive budget', async () => {
    const header = JSON.stringify({ eval: { task: 't', model: 'm' }, status: 'success' });
    const entries = Array.from({ length: 80 }, (_, i) => ({
      name: `samples/${i}_epoch_1.json`,
      data: JSON.stringify({ id: `s${i}`, error: 'A'.repeat(1024 * 1024 - 40) }),
    }));
    expect(await problemsOf('log.eval', zip([{ name: 'header.json', data: header }, ...entries]))).toMatch(
      /samples\/\d+_epoch_1.json -:- the entries read inflate past 64 MiB, more than 20 times the archive's .*; the limit is 20:1/,
    );
  });

  it('a FIFO is refused at once, never opened (a read would block)', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-fifo-'));
    execFileSync('mkfifo', [path.join(dir, 'r.jsonl')]);
    const err = await loadRun(['r.jsonl'], { format: 'auto', cwd: dir }).catch((e: unknown) => e);
    expect((err as ConfigurationError).problems[0]!.message).toMatch(/is not a regular file \(a FIFO/);
  });

  it('a UTF-8 byte order mark is read past; UTF-16 is named', async () => {
    const run = await runOf('r.jsonl', '\ufeff{"id":"a","pass":true}\n{"id":"b","pass":false}\n');
    expect(run.all).toMatchObject({ total: 2, passed: 1 });
    const json = await runOf('r.json', `\ufeff${JSON.stringify({ results: { version: 3, results: [] } })}`).catch(
      (e: unknown) => e,
    );
    expect(json).not.toBeInstanceOf(Error);
    expect(await problemsOf('r.jsonl', Buffer.from('\ufeff{"id":"a","pass":true}\n', 'utf16le'))).toMatch(
      /encoded as UTF-16: save or export it as UTF-8/,
    );
  });
});
