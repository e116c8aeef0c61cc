import { FlagdCore } from '@openfeature/flagd-core';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { flagdPercent, withFlagdPercent } from '../src/rollout/flags/flagd-document.js';
import { ROOT } from './helpers.js';

describe('the flagd file', () => {
  it('serves the planned share to within 2 points, evaluated by flagd itself', () => {
    const doc = JSON.parse(readFileSync(path.join(ROOT, 'examples/flags/flags.json'), 'utf8'));
    for (const percent of [1, 10, 50, 100]) {
      const next = withFlagdPercent(doc, 'summarizer-v2', percent);
      const core = new FlagdCore();
      core.setConfigurations(JSON.stringify(next));
      let on = 0;
      const n = 20_000;
      for (let i = 0; i < n; i++)
        if (core.resolveBooleanEvaluation('summarizer-v2', false, { targetingKey: `user-${i}` }).value) on += 1;
      expect(Math.abs((100 * on) / n - percent)).toBeLessThanOrEqual(2);
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
  const copy = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'lrg-roll-'));
    cpSync(path.join(ROOT, 'examples'), path.join(dir, 'examples'), { recursive: true });
    return dir;
  };
  const flag = (dir: string) =>
    flagdPercent(JSON.parse(readFileSync(path.join(dir, 'examples/flags/flags.json'), 'utf8')), 'summarizer-v2');

  it('--dry-run says what a tick would do and writes nothing', () => {
    const dir = copy();
    const before = readFileSync(path.join(dir, 'examples/flags/flags.json'), 'utf8');
    const r = cli(dir, '--dry-run');
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^rollout: START → 1% \(dry run: nothing written\)/);
    expect(readFileSync(path.join(dir, 'examples/flags/flags.json'), 'utf8')).toBe(before);
  });

  it('starts, holds while baking, advances after the bake, and rolls back on a regression', () => {
    const dir = copy();
    expect(cli(dir).stdout).toMatch(/START → 1% \(written to flagd file/);
    expect(flag(dir)).toBe(1);
    // just started: the stage has not baked and the canary is healthy
    expect(cli(dir).stdout).toMatch(/HOLD → 1%[\s\S]*not ready: it has baked 0m of 30m/);
    // an hour later (the flag file's mtime is the stage start), with enough canary traffic
    const file = path.join(dir, 'examples/flags/flags.json');
    const hourAgo = new Date(Date.now() - 3_600_000);
    utimesSync(file, hourAgo, hourAgo);
    const advanced = cli(dir, '--json');
    expect(JSON.parse(advanced.stdout).decision).toMatchObject({ action: 'advance', percent: 10 });
    expect(flag(dir)).toBe(10);
    // the canary's errors jump: roll back to 0%
    const metrics = path.join(dir, 'examples/telemetry/online-metrics.json');
    const m = JSON.parse(readFileSync(metrics, 'utf8'));
    m.variants.canary.counts.error = 400;
    writeFileSync(metrics, JSON.stringify(m));
    const rolled = cli(dir);
    expect(rolled.stdout).toMatch(/ROLLBACK → 0%[\s\S]*error_rate: canary exceeds control by more than 1/);
    expect(flag(dir)).toBe(0);
  });

  it('holds when the flag was set by hand', () => {
    const dir = copy();
    const file = path.join(dir, 'examples/flags/flags.json');
    writeFileSync(file, JSON.stringify(withFlagdPercent(JSON.parse(readFileSync(file, 'utf8')), 'summarizer-v2', 7)));
    const r = cli(dir, '--dry-run');
    expect(r.stdout).toMatch(/HOLD → 7%/);
    expect(r.stdout).toMatch(/changed outside the plan/);
  });
});
