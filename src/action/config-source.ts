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
  fromApi: string | null | undefined,
  local: string | undefined,
): Promise<{ configText?: string; notices: string[] }> {
  if (!baseFile) return { notices: [] };
  const base = baseFile.sha;
  const text = fromApi !== undefined ? fromApi : await gitShow(base, file, workspace);
  if (text === null) {
    return {
      notices: [`The base branch has no ${file} yet: this pull request's own config was used (it adds the gate).`],
    };
  }
  if (text === undefined) {
    return {
      notices: [
        `The base branch's ${file} could not be read (no token, and the checkout lacks commit ${base.slice(0, 12)}): this pull request's own config was used. Check out with fetch-depth: 0 or pass github-token.`,
      ],
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
