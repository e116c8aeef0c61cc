import { execFile } from 'node:child_process';
import path from 'node:path';
import type { LoadedConfig } from '../config/load.js';
import { rolloutOf } from './plan.js';
import { providerFor } from './flags/index.js';
import { FlagdFileProvider } from './flags/flagd-file.js';
import type { FlagProvider, FlagState } from './flags/types.js';
import { metricSourceFor } from './sources/index.js';
import type { RolloutStore } from './store.js';
import { DEFAULT_STATE_FILE, FileStore } from './stores/file.js';
import { tick, type TickResult } from './tick.js';

export interface LocalTick extends TickResult {
  release: string;
  metrics: string;
  state: string;
  /** True when the flag was written. */
  wrote: boolean;
}

/**
 * One rollout tick from a workstation (the CLI): the same engine as the action, with the record in
 * a state file (rollout.state_file) instead of a GitHub Deployment, the gate's verdict from the
 * workspace, and a flagd file written in place. With `dryRun` nothing is written.
 */
export async function localTick(
  loaded: LoadedConfig,
  opts: {
    cwd: string;
    now: Date;
    gateAllowed: () => Promise<boolean>;
    dryRun: boolean;
    release?: string;
    env: NodeJS.ProcessEnv;
  },
): Promise<LocalTick> {
  const rollout = rolloutOf(loaded);
  const stateFile = path.resolve(opts.cwd, rollout.state_file ?? DEFAULT_STATE_FILE);
  const flagFile = rollout.flag.provider === 'flagd-file' ? path.resolve(opts.cwd, rollout.flag.path) : undefined;
  const release =
    opts.release ?? (await newestCommitExcept(opts.cwd, [stateFile, ...(flagFile ? [flagFile] : [])])) ?? 'workspace';
  let wrote = false;
  const real = new FileStore(stateFile, () => opts.now, opts.gateAllowed);
  const store: RolloutStore = opts.dryRun ? dryStore(real) : real;
  const provider = (applied: number): FlagProvider => {
    const p = flagFile
      ? new FlagdFileProvider(flagFile, rollout.flag.key)
      : providerFor(rollout, { branch: 'main', release, env: opts.env, applied });
    return opts.dryRun
      ? dryProvider(p)
      : { ...bind(p), write: (a, b) => p.write(a, b).then(() => void (wrote = true)) };
  };
  const metrics = metricSourceFor(rollout, opts.cwd, opts.env, () => opts.now);
  const result = await tick(loaded, store, { release, now: opts.now, metrics, provider }, 'rollout');
  return { ...result, release, metrics: metrics?.describe() ?? 'none', state: stateFile, wrote };
}

function bind(p: FlagProvider): FlagProvider {
  return { blind: p.blind, describe: () => p.describe(), read: () => p.read(), write: (a, b) => p.write(a, b) };
}

/** A provider that remembers what it would have written (the tick reads it back) and writes nothing. */
function dryProvider(p: FlagProvider): FlagProvider {
  let written: FlagState | undefined;
  return {
    blind: p.blind,
    describe: () => p.describe(),
    read: async () => written ?? p.read(),
    write: async (percent) => void (written = { percent }),
  };
}

function dryStore(s: RolloutStore): RolloutStore {
  return {
    latest: () => s.latest(),
    create: async () => 0,
    status: async () => undefined,
    alert: async () => undefined,
    gateVerdict: (r) => s.gateVerdict(r),
  };
}

/** The newest commit touching anything but `except` (the flag and state files): the release. */
function newestCommitExcept(cwd: string, except: string[]): Promise<string | undefined> {
  const args = ['log', '-1', '--format=%H', '--', '.', ...except.map((f) => `:(exclude)${path.relative(cwd, f)}`)];
  return new Promise((resolve) => {
    execFile('git', args, { cwd, encoding: 'utf8' }, (err, stdout) => {
      const sha = stdout?.trim();
      resolve(!err && /^[0-9a-f]{40}$/.test(sha ?? '') ? sha : undefined);
    });
  });
}
