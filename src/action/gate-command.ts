import * as core from '@actions/core';
import { infoUntrusted, say } from './log.js';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { describeError } from '../errors.js';
import { runGate } from '../engine/run-gate.js';
import { stoppedVerdict } from '../gate/decide.js';
import type { Verdict } from '../gate/verdict.js';
import { createClient } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import { GateApi } from '../github/gate-api.js';
import { annotationsFor, type Annotation } from '../report/annotations.js';
import { renderJobSummary } from '../report/github.js';
import { LIMITS } from '../report/limits.js';
import { VERSION } from '../version.js';
import { baseConfigFile, chooseConfig, readLocalConfig } from './config-source.js';
import { GitHubReporter } from './github-reporter.js';
import type { Inputs } from './inputs.js';
import type { Outputs } from './outputs.js';

export interface ActionEnv {
  workspace: string;
  /** Where the verdict file goes (RUNNER_TEMP). */
  tempDir: string;
  /** GITHUB_STEP_SUMMARY is set: write the job summary. */
  hasSummary: boolean;
}

const log = { debug: core.debug, info: core.info, warning: core.warning };

/** command: gate — read, judge, report (check run, comment, summary, annotations), set the exit code. */
export async function gateCommand(inputs: Inputs, ctx: RunContext, env: ActionEnv, outputs: Outputs): Promise<void> {
  const github = inputs.githubToken
    ? new GitHubReporter(
        new GateApi(
          createClient(inputs.githubToken, ctx.apiUrl, log, VERSION, inputs.apiTimeouts),
          ctx.owner,
          ctx.repo,
        ),
        ctx,
        { checkName: inputs.checkName, comment: inputs.comment },
      )
    : undefined;
  if (!github)
    core.info('github-token is empty: no GitHub API calls (the job summary, outputs and exit code still work).');

  await github?.startCheck();
  try {
    await judgeAndReport(inputs, ctx, env, outputs, github);
  } catch (err) {
    await github?.abort(
      `The run stopped before a verdict: ${err instanceof Error ? err.message : String(err)}. See the workflow log.`,
    );
    throw err;
  }
}

async function judgeAndReport(
  inputs: Inputs,
  ctx: RunContext,
  env: ActionEnv,
  outputs: Outputs,
  github: GitHubReporter | undefined,
): Promise<void> {
  const local = await readLocalConfig(env.workspace, inputs.config);
  const baseFile = baseConfigFile(inputs, ctx);
  // Trusted reads first: the base config and the comments (with the facts too, when no base applies).
  const baseText = await github?.ask(local, baseFile);
  const { configText, notices, configError } = await chooseConfig(
    inputs.config,
    env.workspace,
    baseFile,
    baseText,
    local,
  );
  const facts = await github?.factsFor(configText ?? local);
  const outcome = await runGate({
    config: inputs.config,
    configText,
    configError,
    results: inputs.results,
    baseline: inputs.baseline,
    cwd: env.workspace,
    commits: ctx.commits,
    github: facts,
    notices: [...notices, ...(github?.notices ?? [])],
  });
  const { verdict, loaded, invalidInput } = outcome;

  const verdictFile = await recordVerdict(verdict, env, outputs);

  const all = annotationsFor(verdict, inputs.config, loaded?.lineOf ?? (() => undefined), Infinity);
  const annotations = all.slice(0, LIMITS.maxAnnotations);
  const published = github
    ? await github.publish(verdict, annotations, all.length - annotations.length)
    : { checkRunUrl: '', commentUrl: '', annotated: false };
  outputs.set('check-run-url', published.checkRunUrl);
  outputs.set('comment-url', published.commentUrl);
  // Without a check run to carry them, annotations go out as workflow commands (the runner shows them).
  if (!published.annotated) for (const a of annotations) emitAnnotation(a);
  if (github) core.info(`GitHub API requests: ${github.api.requests}`);

  infoUntrusted([
    `Decision: ${verdict.decision} (readiness ${verdict.readiness.passed}/${verdict.readiness.total}). Verdict: ${verdictFile}`,
    ...verdict.reasons.map((r) => `  - ${r}`),
  ]);

  if (invalidInput) {
    say.setFailed(
      `llm-release-gate blocked: the ${loaded ? 'eval results' : 'config'} could not be used.\n${verdict.reasons.join('\n')}`,
    );
  } else if (verdict.decision === 'block') {
    if (inputs.failOnBlock)
      say.setFailed(`llm-release-gate blocked this release:\n${verdict.reasons.map((r) => `- ${r}`).join('\n')}`);
    else say.warning(`llm-release-gate would block this release (report-only: fail-on-block is false).`);
  }
}

/** The verdict file, the outputs that come from it, and the job summary (replacing one written before). */
async function recordVerdict(verdict: Verdict, env: ActionEnv, outputs: Outputs): Promise<string> {
  const verdictFile = path.join(env.tempDir, 'llm-release-gate', 'verdict.json');
  await mkdir(path.dirname(verdictFile), { recursive: true });
  await writeFile(verdictFile, `${JSON.stringify(verdict, null, 2)}\n`);
  outputs.set('decision', verdict.decision);
  outputs.set('readiness', `${verdict.readiness.passed}/${verdict.readiness.total}`);
  outputs.set('verdict-file', verdictFile);
  if (env.hasSummary) await core.summary.addRaw(renderJobSummary(verdict)).write({ overwrite: true });
  return verdictFile;
}

/**
 * A blocking verdict, outputs and summary for a run that stopped before judging. Written first of
 * all, so a run killed on the way (out of memory, a timeout, a crash of Node itself) still leaves
 * `block`, a reason and a summary behind; the real verdict replaces them. Best effort: it never throws.
 */
export async function recordStopped(reason: string, inputs: Inputs, env: ActionEnv, outputs: Outputs): Promise<void> {
  const verdict = stoppedVerdict(reason, {
    config: inputs.config,
    results: inputs.results,
    baseline: inputs.baseline ?? null,
    format: null,
  });
  try {
    await recordVerdict(verdict, env, outputs);
  } catch (err) {
    core.warning(`The verdict file or job summary could not be written: ${describeError(err)}`);
  }
  outputs.write(core.setOutput);
}

function emitAnnotation(a: Annotation): void {
  const props = { title: a.title, file: a.file, startLine: a.line };
  if (a.level === 'error') say.error(a.message, props);
  else if (a.level === 'warning') say.warning(a.message, props);
  else say.notice(a.message, props);
}
