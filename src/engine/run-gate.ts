import { insideRoot } from '../results/files.js';
import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { parseConfig, type LoadedConfig } from '../config/load.js';
import { ConfigurationError } from '../errors.js';
import { configErrorVerdict, decide } from '../gate/decide.js';
import type { Verdict } from '../gate/verdict.js';
import { channelsFor } from '../gate/compare.js';
import type { GitHubFacts, LoadFailure } from '../gate/decide.js';
import { gitShow } from './git.js';
import { loadRun } from '../results/load.js';
import type { Run } from '../results/model.js';

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
  /** The boundary every path must stay inside (default cwd: the workspace; the CLI: the repository). */
  root?: string;
  /** Commits that count as this change. */
  commits?: string[];
  /** The config's text when it was read from elsewhere (the base branch); else the file is read. */
  configText?: string;
  /** The config that must be used could not be read (the base branch's): block with this reason. */
  configError?: string;
  /** Answers from the GitHub API for the readiness bars. */
  github?: GitHubFacts;
  /** Said in the report: how the gate ran (which config was used, ...). */
  notices?: string[];
}

export interface GateOutcome {
  verdict: Verdict;
  /** The config, when it could be read (for annotation lines). */
  loaded?: LoadedConfig;
  /** True when the config or results could not be used: fail whatever fail-on-block says. */
  invalidInput: boolean;
}

export async function loadConfigFile(file: string, cwd: string, root = cwd): Promise<LoadedConfig> {
  const abs = path.resolve(cwd, file);
  await insideRoot(abs, root, file, 'readiness config');
  let text: string;
  try {
    text = await readFile(abs, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const what =
      code === 'ENOENT'
        ? `does not exist: create it (\`llm-release-gate init\` writes a starter from the repository; the README has a complete example) or point the config input (the CLI: --config) at it`
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
  if (req.configError !== undefined) {
    const problems = [{ file: req.config, message: req.configError }];
    const verdict = configErrorVerdict(req.config, 'The config could not be read.', problems, baseInputs);
    verdict.notices.push(...(req.notices ?? []));
    return { verdict, invalidInput: true };
  }
  try {
    loaded =
      req.configText !== undefined
        ? await parseConfig(req.configText, req.config)
        : await loadConfigFile(req.config, req.cwd, req.root);
  } catch (err) {
    if (!(err instanceof ConfigurationError)) throw err;
    const verdict = configErrorVerdict(req.config, err.message, err.problems, baseInputs);
    verdict.notices.push(...(req.notices ?? []));
    return { verdict, invalidInput: true };
  }
  const evals = loaded.config.evals;
  const configured = evals?.results === undefined ? [] : Array.isArray(evals.results) ? evals.results : [evals.results];
  const patterns = req.results && req.results.length > 0 ? req.results : configured;
  const baselineSource = req.baseline ?? evals?.baseline;
  const inputs = {
    config: req.config,
    results: patterns,
    baseline:
      typeof baselineSource === 'string'
        ? baselineSource
        : baselineSource
          ? `${baselineSource.ref}:${baselineSource.path}`
          : null,
    format: evals?.format ?? 'auto',
  };

  // Per-case values are kept only for the metrics a baseline comparison needs.
  const hasMargin = (m: { max_drop?: number; max_increase?: number }) =>
    m.max_drop !== undefined || m.max_increase !== undefined;
  const marginMetrics = [
    ...(evals?.metrics ?? []),
    ...(loaded.config.guardrails?.checks ?? []),
    ...(evals?.slices.flatMap((s) => s.metrics) ?? []),
  ].filter(hasMargin);
  const options = {
    format: evals?.format ?? 'auto',
    cwd: req.cwd,
    root: req.root ?? req.cwd,
    sliceTags: evals?.slices.map((s) => s.tag) ?? [],
    pairing: baselineSource !== undefined,
    pairedChannels: channelsFor(marginMetrics.map((m) => m.name)),
    pairedSlices: evals?.slices.filter((s) => s.metrics.some(hasMargin)).map((s) => s.tag) ?? [],
  } as const;

  let invalidInput = false;
  const load = async (files: string[], root?: string): Promise<Run | LoadFailure> => {
    try {
      return await loadRun(files, root ? { ...options, root } : options);
    } catch (err) {
      if (!(err instanceof ConfigurationError)) throw err;
      invalidInput = true;
      return { summary: err.message, problems: err.problems };
    }
  };
  const run = await load(patterns);
  const baseline =
    baselineSource === undefined ? undefined : await loadBaseline(baselineSource, req.cwd, load, req.github?.baseline);
  const verdict = decide({
    config: loaded,
    run,
    baseline,
    inputs,
    facts: {
      commits: req.commits ?? [],
      github: req.github,
      fileExists: (p) => {
        const abs = path.resolve(req.cwd, p);
        return existsSync(abs) && statSync(abs).isFile();
      },
    },
  });
  verdict.notices.push(...(req.notices ?? []));
  return { verdict, loaded, invalidInput };
}

/**
 * The baseline run: a path (or glob) in the workspace, or `{ref, path}` read from git. A baseline
 * that does not exist is `missing` (margins become inconclusive); one that exists but cannot be
 * read fails closed like the results.
 */
async function loadBaseline(
  source: string | { ref: string; path: string },
  cwd: string,
  load: (files: string[], root?: string) => Promise<Run | LoadFailure>,
  fromApi?: { ref: string; path: string; text?: string | null },
): Promise<Run | LoadFailure | { missing: string }> {
  if (typeof source === 'string') {
    const isGlob = /[*?[\]{}]/.test(source);
    if (!isGlob && !existsSync(path.resolve(cwd, source)))
      return {
        missing: `the baseline ${source} does not exist (store a baseline run there, or set evals.baseline to { ref, path })`,
      };
    const result = await load([source]);
    if ('problems' in result && isGlob && /No eval results match/.test(result.summary))
      return { missing: `no baseline matches ${source}` };
    return result;
  }
  // Through the GitHub API when the gate has a token (read with the other facts), else git show.
  const api = fromApi && fromApi.ref === source.ref && fromApi.path === source.path ? fromApi.text : undefined;
  if (api === null) return { missing: `${source.path} does not exist at ${source.ref}` };
  const text = api ?? (await gitShow(source.ref, source.path, cwd));
  if (text === undefined) {
    return {
      missing: `${source.path} at ${source.ref} is not in the checkout (check out with fetch-depth: 0, or fetch ${source.ref})`,
    };
  }
  const dir = await mkdtemp(path.join(os.tmpdir(), 'llm-release-gate-baseline-'));
  const file = path.join(dir, path.basename(source.path));
  let run: Awaited<ReturnType<typeof load>>;
  try {
    await writeFile(file, text);
    run = await load([file], dir); // read from git into a temporary folder of its own
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  // Name it as the user wrote it, not by the temporary file it was read from.
  if ('all' in run) run.files = [`${source.ref}:${source.path}`];
  return run;
}
