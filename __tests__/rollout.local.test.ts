import { FlagdCore } from '@openfeature/flagd-core';
import { spawn, spawnSync } from 'node:child_process';
import http from 'node:http';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagdPercent, withFlagdPercent } from '../src/rollout/flags/flagd-document.js';
import { ROOT } from './helpers.js';

describe('the flagd file', () => {
  it('serves the planned share to within 2 points, evaluated by flagd itself', () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples/flags/flags.json'), 'utf8'));
    for (const percent of [0.5, 1, 10, 50, 100]) {
      const next = withFlagdPercent(doc, 'summarizer-v2', percent);
      const core = new FlagdCore();
      core.setConfigurations(JSON.stringify(next));
      let on = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++)
        if (core.resolveBooleanEvaluation('summarizer-v2', false, { targetingKey: `user-${i}` }).value) on += 1;
      expect(Math.abs((100 * on) / n - percent)).toBeLessThanOrEqual(percent < 1 ? 0.25 : 2);
      if (percent < 1) expect(on).toBeGreaterThan(0); // scaled weights: a fractional stage serves someone
      expect(flagdPercent(next, 'summarizer-v2')).toBe(percent);
      // the other flag is untouched
      expect(next.flags['new-checkout']).toEqual(doc.flags['new-checkout']);
      expect(core.resolveBooleanEvaluation('new-checkout', false, { targetingKey: 'x' }).value).toBe(true);
    }
  });

  it('reads an absent or disabled flag as 0% and refuses targeting it does not manage', () => {
    expect(flagdPercent({ flags: {} }, 'k')).toBe(0);
    expect(
      flagdPercent(
        {
          flags: {
            k: {
              state: 'DISABLED',
              targeting: {
                fractional: [
                  ['on', 50],
                  ['off', 50],
                ],
              },
            },
          },
        },
        'k',
      ),
    ).toBe(0);
    expect(() =>
      flagdPercent({ flags: { k: { state: 'ENABLED', targeting: { if: [true, 'on', 'off'] } } } }, 'k'),
    ).toThrow(/targeting the rollout does not manage/);
  });
});

describe('llm-release-gate rollout (CLI)', () => {
  const cli = (cwd: string, ...args: string[]) =>
    spawnSync(
      process.execPath,
      [path.join(ROOT, 'dist/cli.js'), 'rollout', '--config', 'examples/llm-release-gate.yml', ...args],
      { cwd, encoding: 'utf8' },
    );
  const metricsFile = (dir: string) => path.join(dir, 'examples/telemetry/online-metrics.json');
  /** Fresh metrics, with the canary's errors set. */
  const telemetry = (dir: string, canaryErrors = 9) => {
    const m = JSON.parse(readFileSync(metricsFile(dir), 'utf8'));
    m.generated_at = new Date().toISOString();
    m.variants.canary.counts.error = canaryErrors;
    writeFileSync(metricsFile(dir), JSON.stringify(m));
  };
  const copy = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-roll-'));
    cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
    telemetry(dir);
    return dir;
  };
  const flag = (dir: string) =>
    flagdPercent(JSON.parse(readFileSync(path.join(dir, 'examples/flags/flags.json'), 'utf8')), 'summarizer-v2');
  /** Make the recorded history `minutes` older (the bake passes). */
  const age = (dir: string, minutes: number) => {
    const file = path.join(dir, '.llm-release-gate/rollout-state.json');
    const doc = JSON.parse(readFileSync(file, 'utf8'));
    const older = (t: string) => new Date(Date.parse(t) - minutes * 60_000).toISOString();
    for (const d of doc.deployments) {
      d.createdAt = older(d.createdAt);
      for (const s of d.statuses) s.createdAt = older(s.createdAt);
    }
    writeFileSync(file, JSON.stringify(doc));
  };

  it('--dry-run says what a tick would do and writes nothing', () => {
    const dir = copy();
    const before = readFileSync(path.join(dir, 'examples/flags/flags.json'), 'utf8');
    const r = cli(dir, '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^rollout: START → 1% \(dry run: nothing written\)/);
    expect(readFileSync(path.join(dir, 'examples/flags/flags.json'), 'utf8')).toBe(before);
    expect(existsSync(path.join(dir, '.llm-release-gate'))).toBe(false);
  });

  it('keeps its record between runs: starts, holds while baking, advances, rolls back, and stays down', () => {
    const dir = copy();
    expect(cli(dir, '--release', 'a'.repeat(40)).stdout).toMatch(/START → 1% \(flag written\)/);
    expect(flag(dir)).toBe(1);
    expect(cli(dir, '--release', 'a'.repeat(40)).stdout).toMatch(/HOLD → 1%[\s\S]*not ready: it has baked 0m of 30m/);
    age(dir, 60);
    const advanced = cli(dir, '--json', '--release', 'a'.repeat(40));
    expect(JSON.parse(advanced.stdout).decision).toMatchObject({ action: 'advance', percent: 10 });
    expect(flag(dir)).toBe(10);
    // the canary's errors jump: roll back to 0%, and the release stays down tick after tick
    telemetry(dir, 400);
    const rolled = cli(dir, '--release', 'a'.repeat(40));
    expect(rolled.stdout).toMatch(/ROLLBACK → 0%[\s\S]*error_rate: canary − control is above 1%/);
    expect(flag(dir)).toBe(0);
    for (let i = 0; i < 4; i++) {
      const again = cli(dir, '--release', 'a'.repeat(40));
      expect(again.stdout).toMatch(/^rollout: NONE → 0%[\s\S]*was rolled back/);
      expect(flag(dir)).toBe(0);
    }
    // a different release starts again
    telemetry(dir);
    expect(cli(dir, '--release', 'b'.repeat(40)).stdout).toMatch(/START → 1%/);
  });

  it('holds when the flag was set by hand', () => {
    const dir = copy();
    const file = path.join(dir, 'examples/flags/flags.json');
    writeFileSync(file, JSON.stringify(withFlagdPercent(JSON.parse(readFileSync(file, 'utf8')), 'summarizer-v2', 7)));
    const r = cli(dir, '--dry-run');
    expect(r.stdout).toMatch(/HOLD → 7%/);
    expect(r.stdout).toMatch(/changed outside the plan/);
  });

  it('drives a webhook provider from its record: it advances and rolls back (no read, no restart)', async () => {
    const dir = copy();
    const calls: { percent: number; release: string }[] = [];
    const server = http.createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        calls.push(JSON.parse(body));
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const cfgFile = path.join(dir, 'examples/llm-release-gate.yml');
    writeFileSync(
      cfgFile,
      readFileSync(cfgFile, 'utf8').replace(
        /flag: \{[^}]*\}/,
        `flag: { provider: webhook, key: summarizer-v2, url: "http://127.0.0.1:${port}/flags" }`,
      ),
    );
    const run = (...a: string[]) =>
      new Promise<string>((resolve) => {
        const child = spawn(
          process.execPath,
          [
            path.join(ROOT, 'dist/cli.js'),
            'rollout',
            '--config',
            'examples/llm-release-gate.yml',
            '--release',
            'c'.repeat(40),
            ...a,
          ],
          { cwd: dir },
        );
        let out = '';
        child.stdout.on('data', (c) => (out += c));
        child.stderr.on('data', (c) => (out += c));
        child.on('close', () => resolve(out));
      });
    try {
      expect(await run()).toMatch(/START → 1%/);
      age(dir, 60);
      expect(await run()).toMatch(/ADVANCE → 10%/);
      telemetry(dir, 400);
      expect(await run()).toMatch(/ROLLBACK → 0%/);
      expect(await run()).toMatch(/NONE → 0%/);
      expect(calls.map((c) => c.percent)).toEqual([1, 10, 0]);
      expect(calls[0]!.release).toBe('c'.repeat(40));
    } finally {
      server.close();
    }
  });
  it('a state file that is not one says so (exit 2), never "a bug"', () => {
    const dir = copy();
    mkdirSync(path.join(dir, '.llm-release-gate'));
    writeFileSync(path.join(dir, '.llm-release-gate/rollout-state.json'), '{not json');
    const r = cli(dir, '--dry-run');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/rollout-state.json is not a rollout state file/);
    expect(r.stderr).not.toMatch(/a bug/);
  });
});
