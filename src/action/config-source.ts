import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { configChanges } from '../config/diff.js';
import { gitShow } from '../engine/git.js';
import type { RunContext } from '../github/context.js';
import type { Inputs } from './inputs.js';

/** The config file at the base commit, when config-source: base applies (a pull request with a base). */
export function baseConfigFile(inputs: Inputs, ctx: RunContext): { sha: string; path: string } | undefined {
  return inputs.configSource === 'base' && ctx.pullNumber !== undefined && ctx.baseSha
    ? { sha: ctx.baseSha, path: inputs.config }
    : undefined;
}

/**
 * config-source: base. On a pull request the config comes from the base commit, so a PR cannot
 * loosen its own gate: through the API with a token (`fromApi`: the text, null when the base has no
 * such file, undefined when the API could not say), else `git show` when the checkout has the
 * commit, else (said plainly) the PR's own file. `configText` undefined: the workspace file is used.
 */
export async function chooseConfig(
  file: string,
  workspace: string,
  baseFile: { sha: string; path: string } | undefined,
  fromApi: string | null | { error: string } | undefined,
  local: string | undefined,
): Promise<{ configText?: string; notices: string[]; configError?: string }> {
  if (!baseFile) return { notices: [] };
  const base = baseFile.sha;
  const apiError = typeof fromApi === 'object' && fromApi !== null ? fromApi.error : undefined;
  const text = typeof fromApi === 'string' || fromApi === null ? fromApi : await gitShow(base, file, workspace);
  if (text === null) {
    return {
      notices: [`The base branch has no ${file} yet: this pull request's own config was used (it adds the gate).`],
    };
  }
  if (text === undefined) {
    // Fail closed: the pull request's own copy never stands in for a base config that could not be read.
    const why = apiError ?? 'no github-token to read it through the API';
    return {
      notices: [],
      configError: `The base branch's ${file} could not be read (${why}; and the checkout lacks commit ${base.slice(0, 12)}). A pull request cannot be judged by its own copy of the config: re-run the job, pass github-token, or check out with fetch-depth: 0.`,
    };
  }
  const notices = [];
  if (local !== undefined && local !== text) {
    const changes = configChanges(text, local);
    notices.push(
      `This pull request changes ${file}${changes.length ? `: ${changes.join('; ')}` : ''}. The base branch's config was used: a pull request cannot loosen its own gate. The change takes effect once merged.`,
    );
  }
  return { configText: text, notices };
}

/** The workspace's copy of the config (undefined when it cannot be read: the gate then says why). */
export async function readLocalConfig(workspace: string, file: string): Promise<string | undefined> {
  try {
    return await readFile(path.resolve(workspace, file), 'utf8');
  } catch {
    return undefined;
  }
}
