import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from './helpers.js';
import { runActionSync } from './support/runner.js';

const runAction = runActionSync;

const DEFAULTS = {
  config: 'examples/llm-release-gate.yml',
  'github-token': '',
  'fail-on-block': 'true',
  comment: 'true',
  'check-name': 'LLM release gate',
  'config-source': 'base',
  command: 'gate',
};

describe('the action, run as the runner runs it', () => {
  it('text from the results or the config never reaches the runner as a workflow command', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'lrg-inject-'));
    writeFileSync(
      path.join(ws, 'gate.yml'),
      [
        'version: 1',
        'service: s',
        'risk: { tier: low, bad_output_cost: low }',
        'evals:',
        '  results: "missing\\n::set-output name=decision::allow\\n::add-mask::block\\r\\u001b[2J\\n::error file=a::PWNED.jsonl"',
        '  metrics: [{ name: pass_rate, min: 0.9 }]',
      ].join('\n'),
    );
    writeFileSync(path.join(ws, 'r.jsonl'), '{"id": "a\n::set-output name=decision::allow", "pass": false}\n');
    const r = runAction({ ...DEFAULTS, config: 'gate.yml' }, {}, { GITHUB_WORKSPACE: ws });
    expect(r.outputs.decision).toBe('block');
    // every line starting with :: outside a stop-commands block is one of the action's own
    let stopped: string | undefined;
    const commands: string[] = [];
    for (const line of r.stdout.split('\n')) {
      if (stopped) {
        if (line === `::${stopped}::`) stopped = undefined;
        continue;
      }
      const stop = /^::stop-commands::(.+)$/.exec(line);
      if (stop) stopped = stop[1];
      else if (line.startsWith('::')) commands.push(line.split('::')[1]!.split(' ')[0]!);
    }
    expect(commands.filter((c) => !['error', 'warning', 'notice', 'debug', 'group', 'endgroup'].includes(c))).toEqual(
      [],
    );
    expect(r.stdout).not.toContain('\u001b');
  });

  it('a run that dies (out of memory inside JSON.parse) still leaves block, a reason, a summary and a verdict file', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'lrg-oom-'));
    writeFileSync(
      path.join(ws, 'gate.yml'),
      'version: 1\nservice: s\nrisk: { tier: low, bad_output_cost: low }\nevals:\n  results: r.jsonl\n  metrics: [{ name: pass_rate, min: 0.9 }]\n',
    );
    // A JSON line of 3.6 MB of empty objects: under the line limit, but ~20x that once parsed.
    writeFileSync(
      path.join(ws, 'r.jsonl'),
      `{"id":"a","pass":true}\n{"id":"b","pass":true,"x":[${Array(1_200_000).fill('{}').join(',')}]}\n`,
    );
    const r = runAction(
      { ...DEFAULTS, config: 'gate.yml' },
      {},
      { GITHUB_WORKSPACE: ws, NODE_OPTIONS: '--max-old-space-size=40' },
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/heap out of memory|Allocation failed/i);
    expect(r.outputs.decision).toBe('block');
    expect(r.summary).toMatch(/the run ended before the gate could finish \(out of memory, killed, or timed out\)/);
    const verdict = JSON.parse(readFileSync(r.outputs['verdict-file']!, 'utf8')) as { decision: string };
    expect(verdict.decision).toBe('block');
  });

  it('allows the example: outputs, verdict file, summary, exit 0', () => {
    const r = runAction(DEFAULTS);
    expect(r.code).toBe(0);
    expect(r.outputs).toMatchObject({
      decision: 'allow',
      readiness: '7/7',
      'rollout-action': 'none',
      'check-run-url': '',
      'comment-url': '',
    });
    const verdict = JSON.parse(readFileSync(r.outputs['verdict-file']!, 'utf8'));
    expect(verdict).toMatchObject({
      schema: 1,
      decision: 'allow',
      readiness: { passed: 7, total: 7 },
      samples: { total: 400, passed: 396, failed: 4, errors: 0, skipped: 0 },
    });
    expect(verdict.inputs).toEqual({
      config: 'examples/llm-release-gate.yml',
      results: ['examples/evals/promptfoo-results.json'],
      baseline: 'examples/evals/baseline.json',
      format: 'promptfoo',
    });
    expect(verdict.metrics[0]).toMatchObject({
      name: 'pass_rate',
      status: 'pass',
      n: 400,
      baseline: 389 / 400,
      delta: (396 - 389) / 400,
      paired_n: 400,
    });
    expect(verdict.metrics[0].delta_ci).toHaveLength(2);
    expect(verdict.comparison).toMatchObject({ paired: 400, added: { total: 0 }, removed: { total: 0 } });
    expect(verdict.metrics[0].ci).toHaveLength(2);
    expect(r.summary).toMatch(/^## ✅ LLM release gate: \*\*allow\*\* — support-summarizer/);
  });

  it('blocks when a threshold fails: exit 1, reasons in the log, an error annotation on the config line', () => {
    const r = runAction({ ...DEFAULTS, results: '__tests__/fixtures/native.jsonl' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(/::error title=.*,file=examples\/llm-release-gate.yml,line=\d+::/);
    expect(r.stdout).toMatch(/llm-release-gate blocked this release/);
    expect(r.summary).toMatch(/## ⛔ LLM release gate: \*\*block\*\*/);
  });

  it('report-only: fail-on-block false blocks without failing the step', () => {
    const r = runAction({ ...DEFAULTS, results: '__tests__/fixtures/native.jsonl', 'fail-on-block': 'false' });
    expect(r.code).toBe(0);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(/::warning::llm-release-gate would block this release \(report-only/);
  });

  it('fails closed on an invalid config: every problem with its line, no stack trace', () => {
    const r = runAction({ ...DEFAULTS, config: '__tests__/fixtures/invalid.yml', 'fail-on-block': 'false' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(
      /::error title=llm-release-gate%3A input problem,file=__tests__\/fixtures\/invalid.yml,line=3::found the text "extreme"/,
    );
    expect(r.stdout).toMatch(/line=6::found number -5; expected at least 1/);
    expect(r.stdout).toMatch(/line=7::pass_rate is a rate between 0 and 1/);
    expect(r.stdout + r.stderr).not.toMatch(/\n\s+at .*\.js:\d+/);
    expect(r.summary).toMatch(/Input problems/);
  });

  it('fails closed on missing results, naming the file and what to check', () => {
    const r = runAction({ ...DEFAULTS, config: '__tests__/fixtures/missing-results.yml', 'fail-on-block': 'false' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(
      /evals\/out\/does-not-exist.json.*does not exist: check the path, and that the eval step wrote it/,
    );
    expect(JSON.parse(readFileSync(r.outputs['verdict-file']!, 'utf8')).bars[1].status).toBe('fail');
  });

  it('fails closed on a missing config file', () => {
    const r = runAction({ ...DEFAULTS, config: '.github/llm-release-gate.yml' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(/llm-release-gate.yml::does not exist: create it/);
  });

  it('rejects a bad input value by name', () => {
    const r = runAction({ ...DEFAULTS, 'fail-on-block': 'maybe' });
    expect(r.code).toBe(1);
    expect(r.outputs.decision).toBe('block');
    expect(r.stdout).toMatch(/Input 'fail-on-block' must be true or false, got 'maybe'/);
  });

  it('judges stale results against the pull request head, not the merge SHA', () => {
    const event = { pull_request: { head: { sha: '4bf92f3577b34da6a3ce929d0e0e4736aaaaaaaa' } } };
    const fresh = runAction({ ...DEFAULTS, config: '__tests__/fixtures/native-commit.yml' }, event, {
      GITHUB_EVENT_NAME: 'pull_request',
    });
    expect(fresh.outputs.decision).toBe('allow');
    const stale = runAction(
      { ...DEFAULTS, config: '__tests__/fixtures/native-commit.yml' },
      { pull_request: { head: { sha: '0000000000000000000000000000000000000000' } } },
      { GITHUB_EVENT_NAME: 'pull_request', GITHUB_SHA: '1111111111111111111111111111111111111111' },
    );
    expect(stale.outputs.decision).toBe('block');
    expect(stale.stdout).toMatch(/stale results: they name commit 4bf92f3577b3/);
  });
});

describe('the CLI', () => {
  const cli = (...args: string[]) =>
    spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ROOT, encoding: 'utf8' });

  it('exits 0 on allow, 1 on block, 2 on invalid input', () => {
    expect(cli('gate', '--config', 'examples/llm-release-gate.yml').status).toBe(0);
    expect(
      cli('gate', '--config', 'examples/llm-release-gate.yml', '--results', '__tests__/fixtures/native.jsonl').status,
    ).toBe(1);
    const invalid = cli('gate', '--config', '__tests__/fixtures/invalid.yml');
    expect(invalid.status).toBe(2);
    expect(invalid.stdout).toMatch(/BLOCK/);
    // A config with problems is read again by the YAML library (loaded then, from its own chunk),
    // which places each problem on its line; so is text that is not YAML.
    expect(invalid.stdout).toMatch(/invalid\.yml, line 6, evals\.min_samples: found number -5/);
    mkdirSync(path.join(ROOT, 'bench/out'), { recursive: true });
    const ws = mkdtempSync(path.join(ROOT, 'bench/out/cli-'));
    writeFileSync(path.join(ws, 'broken.yml'), 'version: 1\nservice: s\nevals: [\n');
    const broken = cli('gate', '--config', path.relative(ROOT, path.join(ws, 'broken.yml')));
    expect(broken.status).toBe(2);
    expect(broken.stdout).toMatch(/broken\.yml, line 4: Flow sequence in block collection/);
    rmSync(ws, { recursive: true });
    expect(cli('results', '__tests__/fixtures/native-bad.jsonl').status).toBe(2);
    expect(cli('frobnicate').status).toBe(2);
  });

  it('writes all of its output to a full pipe that does not block, ends quietly when the reader goes, and fails when it cannot write', () => {
    // perl (Debian's essential perl-base) makes the pipes Node cannot: 4 KiB, non-blocking or closed early.
    const piped = (nonBlocking: boolean, readBytes: number, config = 'examples/llm-release-gate.yml') => {
      const r = spawnSync(
        'perl',
        [
          path.join(ROOT, '__tests__/support/pipe.pl'),
          nonBlocking ? '1' : '0',
          String(readBytes),
          process.execPath,
          path.join(ROOT, 'dist/cli.js'),
          ...['gate', '--config', config, '--json'],
        ],
        { cwd: ROOT, encoding: 'utf8' },
      );
      const newline = r.stdout.indexOf('\n');
      return { status: Number(r.stdout.slice(0, newline)), out: r.stdout.slice(newline + 1), stderr: r.stderr };
    };
    const full = piped(true, 0);
    expect(full).toMatchObject({ status: 0, stderr: '' });
    expect(full.out.length).toBeGreaterThan(4096);
    expect(JSON.parse(full.out)).toMatchObject({ decision: 'allow' });
    expect(piped(false, 100)).toMatchObject({ status: 0, stderr: '' });
    // The reader gone before the verdict is known: the exit code is still the verdict's.
    expect(piped(false, 100, '__tests__/fixtures/hostile.yml')).toMatchObject({ status: 1, stderr: '' });
    expect(piped(true, 100, '__tests__/fixtures/hostile.yml')).toMatchObject({ status: 1, stderr: '' });
    // Output that cannot be written fails the command (exit 2), said on stderr, not as a bug.
    const diskFull = spawnSync(
      'bash',
      ['-c', `"${process.execPath}" dist/cli.js gate --config examples/llm-release-gate.yml --json > /dev/full`],
      {
        cwd: ROOT,
        encoding: 'utf8',
      },
    );
    expect(diskFull.status).toBe(2);
    expect(diskFull.stderr).toMatch(/^llm-release-gate: The output could not be written to standard output \(ENOSPC\)/);
  });

  it('says its version, and helps with every command and every option', () => {
    const pkg = JSON.parse(readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect(cli('--version')).toMatchObject({ status: 0, stdout: `${pkg.version}\n` });
    const help = cli('help');
    expect(help.status).toBe(0);
    for (const command of ['gate', 'results', 'rollout', 'schema', 'help'])
      expect(help.stdout).toMatch(`  ${command} `);
    const options: Record<string, string[]> = {
      gate: ['--config', '--results', '--baseline', '--commit', '--json', '--help'],
      results: ['--format', '--json', '--help'],
      rollout: ['--config', '--release', '--dry-run', '--json', '--help'],
    };
    for (const [command, flags] of Object.entries(options)) {
      for (const asked of [cli(command, '--help'), cli('help', command)]) {
        expect(asked.status).toBe(0);
        for (const flag of flags) expect(asked.stdout).toMatch(new RegExp(`^  ${flag}\\b`, 'm'));
      }
    }
    const bad = cli('results', '--format', 'foo', 'x.json');
    expect(bad.status).toBe(2);
    expect(bad.stderr).toMatch(/Unknown --format 'foo': use one of auto, promptfoo, inspect/);
  });

  it('resolves its arguments from the current folder and the config from the repository root; a directory or a missing folder is named', () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'lrg-cli-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    mkdirSync(path.join(repo, '.github'));
    mkdirSync(path.join(repo, 'evals'));
    mkdirSync(path.join(repo, 'sub'));
    writeFileSync(path.join(repo, 'evals', 'r.jsonl'), '{"id": "a", "pass": true}\n{"id": "b", "pass": true}\n');
    writeFileSync(
      path.join(repo, '.github', 'llm-release-gate.yml'),
      [
        'version: 1',
        'service: s',
        'risk: { tier: low, bad_output_cost: x }',
        'evals: { results: evals/r.jsonl, metrics: [{ name: pass_rate, min: 0.1 }] }',
        'deploy: { model: m-2024-01-01 }',
        'observability: { tracing: otel }',
        'cost: { max_cost_per_request_usd: 1 }',
        'owner: { name: "@alice", oncall: "#oncall" }',
        'rollout:',
        '  flag: { provider: flagd-file, key: k, path: flags/missing/flags.json }',
        '  stages: [{ percent: 10 }, { percent: 100 }]',
        '',
      ].join('\n'),
    );
    const run = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], {
        cwd: path.join(repo, 'sub'),
        encoding: 'utf8',
      });
    expect(run('gate').status).toBe(0);
    expect(run('gate', '--results', '../evals/r.jsonl').status).toBe(0);
    const dir = run('gate', '--results', '../evals');
    expect(dir.status).toBe(2);
    expect(dir.stdout).toMatch(/evals: is a directory: point at the results file, or use a glob such as dir\/\*\.json/);
    expect(dir.stderr).not.toMatch(/at .*\.js:\d+/);
    const rollout = run('rollout');
    expect(rollout.status).toBe(2);
    expect(rollout.stderr).toMatch(
      /flags\/missing\/flags.json, rollout.flag.path: its folder .*flags\/missing does not exist/,
    );
    expect(rollout.stderr).not.toMatch(/a bug/);
  });

  it('init writes a starter config from the repository and prints the readiness path in order', () => {
    const repo = mkdtempSync(path.join(os.tmpdir(), 'lrg-init-'));
    execFileSync('git', ['init', '-q'], { cwd: repo });
    mkdirSync(path.join(repo, '.github', 'workflows'), { recursive: true });
    mkdirSync(path.join(repo, 'evals'));
    writeFileSync(path.join(repo, 'evals', 'promptfooconfig.yaml'), 'providers: [openai:gpt-4o-2024-08-06]\n');
    writeFileSync(path.join(repo, '.github', 'workflows', 'ship.yml'), 'jobs:\n  d:\n    environment: production\n');
    writeFileSync(path.join(repo, '.github', 'CODEOWNERS'), '# owners\n* @acme/ml @alice\n');
    const init = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), 'init', ...args], { cwd: repo, encoding: 'utf8' });
    const asked = init();
    expect(asked.status).toBe(2);
    expect(asked.stderr).toMatch(/Say the risk tier: llm-release-gate init --tier low\|medium\|high\|critical/);
    const r = init('--tier', 'medium');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /eval tool promptfoo \(evals\/promptfooconfig.yaml\); deploy workflow .github\/workflows\/ship.yml; owner @alice/,
    );
    const steps = r.stdout.split('\n').filter((l) => /^ {2}\d /.test(l));
    expect(steps.map((l) => l.trim().split(/\s+/)[1])).toEqual([
      'target',
      'evals',
      'deploy',
      'observability',
      'guardrails',
      'cost',
      'owner',
    ]);
    expect(r.stdout).toMatch(/Next: target: risk.bad_output_cost is not written/);
    const written = readFileSync(path.join(repo, '.github', 'llm-release-gate.yml'), 'utf8');
    expect(written).toMatch(/deploy: \{ model: gpt-4o-2024-08-06, workflow: .github\/workflows\/ship.yml \}/);
    expect(written).toMatch(/owner: \{ name: "@alice" \}/);
    expect(init('--tier', 'high').status).toBe(2); // never overwrites
    expect(init('--tier', 'high', '--force').status).toBe(0);
  });

  it('init writes a config the gate loads, whatever the names; refuses paths it cannot use; the CLI names bad arguments', () => {
    const repo = path.join(mkdtempSync(path.join(os.tmpdir(), 'lrg-init-')), '2024');
    mkdirSync(path.join(repo, 'evals'), { recursive: true });
    execFileSync('git', ['init', '-q'], { cwd: repo });
    writeFileSync(
      path.join(repo, 'evals', 'promptfooconfig.yaml'),
      'providers: ["bedrock:anthropic.claude-3-5-sonnet-20241022-v2:0"]\n',
    );
    const cli = (...args: string[]) =>
      spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: repo, encoding: 'utf8' });
    expect(cli('init', '--tier', 'low').status).toBe(0);
    const written = readFileSync(path.join(repo, '.github', 'llm-release-gate.yml'), 'utf8');
    expect(written).toMatch(/^service: "2024"$/m);
    expect(written).toMatch(/model: anthropic.claude-3-5-sonnet-20241022-v2:0/);
    const gate = cli('gate', '--json');
    expect(JSON.parse(gate.stdout).reasons.join('\n')).not.toMatch(/config .* could not be used/);
    const outside = cli('init', '--tier', 'low', '--config', '../outside.yml');
    expect(outside.status).toBe(2);
    expect(outside.stderr).toMatch(/is outside the repository/);
    mkdirSync(path.join(repo, 'dir.yml'));
    const dir = cli('init', '--tier', 'low', '--config', 'dir.yml', '--force');
    expect(dir.status).toBe(2);
    expect(dir.stderr).toMatch(/Cannot write dir.yml: it is a directory/);
    const commit = cli('gate', '--commit', 'zz');
    expect(commit.status).toBe(2);
    expect(commit.stderr).toMatch(/--commit zz is not a commit SHA/);
    expect(cli('gate', '--bogus').stderr).toMatch(
      /Unknown option '--bogus'.*llm-release-gate gate --help lists its options/,
    );
    writeFileSync(path.join(repo, 'r.jsonl'), '{"id":"a","pass":true}\n');
    writeFileSync(
      path.join(repo, 'g.yml'),
      'version: 1\nservice: s\nrisk: { tier: low, bad_output_cost: x }\nevals: { results: r.jsonl, metrics: [{ name: pass_rate, min: 0.5 }] }\n',
    );
    const baseline = cli('gate', '--config', 'g.yml', '--baseline', 'nope.json', '--json');
    const evals = (JSON.parse(baseline.stdout) as { bars: { name: string; details: string[] }[] }).bars.find(
      (b) => b.name === 'evals',
    )!;
    expect(evals.details.join('\n')).toMatch(/⚠ no baseline comparison: the baseline nope.json does not exist/);
  });

  it('colours a terminal; FORCE_COLOR colours a pipe, NO_COLOR and FORCE_COLOR=0 do not', () => {
    const withEnv = (env: Record<string, string>) =>
      spawnSync(
        process.execPath,
        [path.join(ROOT, 'dist/cli.js'), 'gate', '--config', 'examples/llm-release-gate.yml'],
        {
          cwd: ROOT,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', ...env },
        },
      ).stdout;
    expect(withEnv({ FORCE_COLOR: '1' })).toContain('\u001b[32mALLOW');
    expect(withEnv({ FORCE_COLOR: '0' })).not.toContain('\u001b[');
    expect(withEnv({})).not.toContain('\u001b[');
  });

  it('a whole-document file too large for the heap, and results that outgrow it, block with exit 2 and a named limit', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'lrg-mem-'));
    // With a baseline every case id is kept for pairing: 2 x 300,000 long ids outgrow a 64 MB heap.
    const config = (file: string) =>
      `version: 1\nservice: s\nrisk: { tier: low, bad_output_cost: low }\nevals:\n  results: ${file}\n  baseline: ${file}\n  metrics: [{ name: pass_rate, min: 0.9 }]\n`;
    writeFileSync(path.join(ws, 'big.yml'), config('big.json'));
    writeFileSync(path.join(ws, 'big.json'), `{"results": "${'x'.repeat(9 * 1024 * 1024)}"}`);
    writeFileSync(path.join(ws, 'many.yml'), config('many.jsonl'));
    writeFileSync(
      path.join(ws, 'many.jsonl'),
      Array.from({ length: 300_000 }, (_, i) => `{"id":"${i}-${'x'.repeat(200)}","pass":true,"message":"m"}\n`).join(
        '',
      ),
    );
    const run = (name: string) =>
      spawnSync(
        process.execPath,
        ['--max-old-space-size=64', path.join(ROOT, 'dist/cli.js'), 'gate', '--config', name],
        {
          cwd: ws,
          encoding: 'utf8',
        },
      );
    const big = run('big.yml');
    expect(big.status).toBe(2);
    expect(big.stdout + big.stderr).toMatch(/hold more than can be read at once[\s\S]*more than 8 MiB would be held/);
    // Values under the limit each, over it together (the document around the samples is held whole).
    writeFileSync(path.join(ws, 'big.json'), `{${[1, 2, 3].map((i) => `"k${i}": "${'x'.repeat(3 * 1024 * 1024)}"`)}}`);
    const parts = run('big.yml');
    expect(parts.status).toBe(2);
    expect(parts.stdout + parts.stderr).toMatch(/hold more than can be read at once/);
    // 6 MB on disk, but two million objects once parsed: weighed by what they cost, not their bytes.
    writeFileSync(path.join(ws, 'big.json'), `{"eval":{"task":"t","x":[${'{},'.repeat(2_000_000)}{}]},"samples":[]}`);
    const tiny = run('big.yml');
    expect(tiny.status).toBe(2);
    expect(tiny.stdout + tiny.stderr).toMatch(/hold more than can be read at once/);
    const many = run('many.yml');
    expect(many.status).toBe(2);
    expect(many.stdout + many.stderr).toMatch(/need more memory than this process has[\s\S]*of the \d+ MB heap/);
  });

  it('prints no escape or control character from the results: no cleared screen, no fake ALLOW', () => {
    const ws = mkdtempSync(path.join(os.tmpdir(), 'lrg-tty-'));
    writeFileSync(
      path.join(ws, 'gate.yml'),
      'version: 1\nservice: s\nrisk: { tier: low, bad_output_cost: low }\nevals:\n  results: r.jsonl\n  metrics: [{ name: pass_rate, min: 0.9 }]\n',
    );
    const evil = 'x\u001b[2J\u001b[H\rllm-release-gate: ALLOW\u009b31m\u202e';
    const lines = [
      { id: evil, pass: false, reason: evil },
      // a newline in an id must not start a line the runner reads as a workflow command
      { id: 'id0\n::error::PWNED\n', pass: false, reason: 'tag\u{e0041}\u200bchars' },
    ];
    writeFileSync(path.join(ws, 'r.jsonl'), lines.map((l) => `${JSON.stringify(l)}\n`).join(''));
    for (const args of [
      ['gate', '--config', 'gate.yml'],
      ['results', 'r.jsonl'],
    ]) {
      const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/cli.js'), ...args], { cwd: ws, encoding: 'utf8' });
      if (args[0] === 'gate') expect(r.stdout).toContain('xllm-release-gate: ALLOW31m'); // the id, shown, inert
      expect(r.stdout).not.toMatch(/^llm-release-gate: ALLOW/m);
      expect(r.stdout).not.toMatch(/^::/m);
      expect(r.stdout).not.toMatch(/[\u200b\u{e0041}]/u);
      // eslint-disable-next-line no-control-regex -- control characters are what must be absent
      expect(r.stdout + r.stderr).not.toMatch(/[\u001b\r\u009b\u202e]/);
    }
  });

  it('prints the verdict JSON with --json', () => {
    const r = cli('gate', '--config', 'examples/llm-release-gate.yml', '--json');
    expect(JSON.parse(r.stdout)).toMatchObject({ schema: 1, decision: 'allow' });
  });

  it('prints a normalized summary of one results file', () => {
    const r = cli('results', '__tests__/samples/promptfoo/results.json', '--json');
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      format: 'promptfoo',
      samples: { total: 40, passed: 35, failed: 5, errors: 0, skipped: 0 },
    });
  });

  it('prints the JSON Schema', () => {
    const r = cli('schema');
    expect(JSON.parse(r.stdout).required).toEqual(['version', 'service']);
  });
});

describe('config-source: base without a token', () => {
  it('reads the base branch config with git show, and says what the PR tries to change', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-git-'));
    const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'pipe' }).toString().trim();
    git('init', '-q', '-b', 'main');
    git('config', 'user.email', 'ci@example.com');
    git('config', 'user.name', 'ci');
    const cfg = (min: number) =>
      `version: 1\nservice: s\nowner: { name: "@alice", oncall: "#oncall" }\nrisk: { tier: low, bad_output_cost: "low" }\nevals:\n  results: r.jsonl\n  metrics: [{ name: pass_rate, min: ${min} }]\ndeploy: { model: m-2024-01-01, workflow: deploy.yml }\n`;
    writeFileSync(path.join(dir, 'gate.yml'), cfg(0.9));
    writeFileSync(path.join(dir, 'deploy.yml'), 'on: push\n');
    writeFileSync(
      path.join(dir, 'r.jsonl'),
      Array.from({ length: 100 }, (_, i) => JSON.stringify({ id: `c${i}`, pass: i >= 30 })).join('\n'),
    );
    git('add', '.');
    git('commit', '-qm', 'base');
    const base = git('rev-parse', 'HEAD');
    writeFileSync(path.join(dir, 'gate.yml'), cfg(0.5));
    const event = {
      pull_request: {
        number: 3,
        head: { sha: 'f'.repeat(40), repo: { full_name: 'acme/support' } },
        base: { sha: base, repo: { full_name: 'acme/support' } },
      },
    };
    const r = runAction({ ...DEFAULTS, config: 'gate.yml', 'config-source': 'base' }, event, {
      GITHUB_WORKSPACE: dir,
      GITHUB_EVENT_NAME: 'pull_request',
    });
    expect(r.outputs.decision).toBe('block');
    expect(r.summary).toMatch(
      /This pull request changes gate.yml: evals.metrics.0.min \(0.9 → 0.5\). The base branch's config was used/,
    );
    // head opts out
    const head = runAction({ ...DEFAULTS, config: 'gate.yml', 'config-source': 'head' }, event, {
      GITHUB_WORKSPACE: dir,
      GITHUB_EVENT_NAME: 'pull_request',
    });
    expect(head.outputs.decision).toBe('allow');
  });
});
