import { existsSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { parseConfig, type LoadedConfig } from './config/load.js';
import { ConfigurationError } from './errors.js';
import { configErrorVerdict, decide } from './gate/decide.js';
import type { Verdict } from './gate/verdict.js';
import { loadRun } from './results/load.js';

/** The gate engine shared by the action and the CLI: files in, verdict out. No env, no process. */
export interface GateRequest {
  /** Config path relative to `cwd` (or absolute). */
  config: string;
  /** Overrides evals.results when non-empty. */
  results?: string[];
  /** Overrides evals.baseline when set. */
  baseline?: string;
  /** The repository checkout everything is relative to. */
  cwd: string;
  /** Commits that count as this change. */
  commits?: string[];
}

export interface GateOutcome {
  verdict: Verdict;
  /** The config, when it could be read (for annotation lines). */
  loaded?: LoadedConfig;
  /** True when the config or results could not be used: fail whatever fail-on-block says. */
  invalidInput: boolean;
}

export async function loadConfigFile(file: string, cwd: string): Promise<LoadedConfig> {
  const abs = path.resolve(cwd, file);
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT'
        ? `does not exist: create it (the README has a complete example) or point the config input at it`
        : code === 'EISDIR'
          ? 'is a directory: point at the YAML file'
          : `cannot be read (${code ?? String(err)})`;
    throw new ConfigurationError(`The readiness config ${file} ${what.split(':')[0]}.`, [{ file, message: what }]);
  }
  return parseConfig(text, file);
}

export async function runGate(req: GateRequest): Promise<GateOutcome> {
  let loaded: LoadedConfig;
  const baseInputs = { config: req.config, results: req.results ?? [], baseline: req.baseline ?? null, format: null };
  try {
    loaded = await loadConfigFile(req.config, req.cwd);
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    return { verdict: configErrorVerdict(req.config, err.message, err.problems, baseInputs), invalidInput: true };
  }
  const evals = loaded.config.evals;
  const configured = evals?.results === undefined ? [] : Array.isArray(evals.results) ? evals.results : [evals.results];
  const patterns = req.results && req.results.length > 0 ? req.results : configured;
  const baseline = req.baseline ?? (typeof evals?.baseline === 'string' ? evals.baseline : evals?.baseline ? `${evals.baseline.ref}:${evals.baseline.path}` : null);
  const inputs = { config: req.config, results: patterns, baseline, format: evals?.format ?? 'auto' };

  let run: Parameters<typeof decide>[0]['run'];
  let invalidInput = false;
  try {
    run = await loadRun(patterns, {
      format: evals?.format ?? 'auto',
      cwd: req.cwd,
      sliceTags: evals?.slices.map((s) => s.tag) ?? [],
    });
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    run = { summary: err.message, problems: err.problems };
    invalidInput = true;
  }
  const verdict = decide({
    config: loaded,
    run,
    inputs,
    facts: {
      commits: req.commits ?? [],
      fileExists: (p) => {
        const abs = path.resolve(req.cwd, p);
        return existsSync(abs) && statSync(abs).isFile();
      },
    },
  });
  return { verdict, loaded, invalidInput };
}
