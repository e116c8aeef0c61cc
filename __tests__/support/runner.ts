/**
 * Runs dist/index.js exactly as the GitHub runner does: INPUT_* variables (upper-cased, spaces to
 * underscores, hyphens kept), an event payload file, GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../helpers.js';

export interface ActionRun {
  code: number | null;
  stdout: string;
  outputs: Record<string, string>;
  summary: string;
}

interface Prepared {
  env: Record<string, string>;
  finish(code: number | null, stdout: string): ActionRun;
}

function prepare(inputs: Record<string, string>, event: object, env: Record<string, string>): Prepared {
  const tmp = mkdtempSync(path.join(os.tmpdir(), 'lrg-run-'));
  const files = {
    output: path.join(tmp, 'output'),
    summary: path.join(tmp, 'summary.md'),
    event: path.join(tmp, 'event.json'),
  };
  writeFileSync(files.output, '');
  writeFileSync(files.summary, '');
  writeFileSync(files.event, JSON.stringify(event));
  const all: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    GITHUB_ACTIONS: 'true',
    GITHUB_WORKSPACE: ROOT,
    GITHUB_OUTPUT: files.output,
    GITHUB_STEP_SUMMARY: files.summary,
    GITHUB_EVENT_PATH: files.event,
    GITHUB_EVENT_NAME: 'push',
    GITHUB_SHA: 'abc123def4567890abc123def4567890abc12345',
    GITHUB_REPOSITORY: 'acme/support',
    RUNNER_TEMP: tmp,
    ...env,
  };
  for (const [k, v] of Object.entries(inputs)) all[`INPUT_${k.replace(/ /g, '_').toUpperCase()}`] = v;
  return {
    env: all,
    finish: (code, stdout) => ({
      code,
      stdout,
      outputs: parseOutputs(readFileSync(files.output, 'utf8')),
      summary: readFileSync(files.summary, 'utf8'),
    }),
  };
}

/** GITHUB_OUTPUT uses heredoc records: name<<DELIM \n value \n DELIM. */
export function parseOutputs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(/^(.+?)<<(.+)\n([\s\S]*?)\n\2$/gm)) out[m[1]!] = m[3]!;
  return out;
}

export function runActionSync(
  inputs: Record<string, string>,
  event: object = {},
  env: Record<string, string> = {},
): ActionRun & { stderr: string } {
  const p = prepare(inputs, event, env);
  const r = spawnSync(process.execPath, [path.join(ROOT, 'dist/index.js')], {
    cwd: p.env.GITHUB_WORKSPACE,
    env: p.env,
    encoding: 'utf8',
  });
  return { ...p.finish(r.status, r.stdout), stderr: r.stderr };
}

/** Asynchronous, for tests whose fake GitHub server runs in this same process. */
export async function runAction(
  inputs: Record<string, string>,
  event: object = {},
  env: Record<string, string> = {},
): Promise<ActionRun> {
  const p = prepare(inputs, event, env);
  const child = spawn(process.execPath, [path.join(ROOT, 'dist/index.js')], {
    cwd: p.env.GITHUB_WORKSPACE,
    env: p.env,
  });
  let stdout = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stdout += d.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  return p.finish(code, stdout);
}
