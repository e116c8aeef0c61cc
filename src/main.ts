import * as core from '@actions/core';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runGate } from './engine.js';
import { ConfigurationError, describeError } from './errors.js';
import type { Verdict } from './gate/verdict.js';
import { readInputs } from './inputs.js';
import { annotationsFor } from './report/annotations.js';
import { renderSummary } from './report/summary.js';

/** The action: inputs -> load -> decide -> publish -> exit. The only place that touches the runner. */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  try {
    await gate(env);
  } catch (err) {
    // Whatever happened, never leave an `allow` behind.
    core.setOutput('decision', 'block');
    if (err instanceof ConfigurationError) {
      core.setFailed(describeError(err));
    } else {
      core.setFailed(
        `llm-release-gate failed unexpectedly (a bug in the action, not in your config): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nPlease report it with this log.`,
      );
    }
  }
}

async function gate(env: NodeJS.ProcessEnv): Promise<void> {
  const inputs = readInputs((name) => core.getInput(name));
  setNoRolloutOutputs();
  if (inputs.command !== 'gate') {
    throw new ConfigurationError(`command: ${inputs.command} is not available in this version of llm-release-gate.`, [
      { file: 'workflow inputs', message: `Input 'command' is '${inputs.command}'; this version runs 'gate' only. Upgrade the action to use staged rollouts.` },
    ]);
  }
  const workspace = env.GITHUB_WORKSPACE || process.cwd();
  const event = await readEvent(env.GITHUB_EVENT_PATH);
  const outcome = await runGate({
    config: inputs.config,
    results: inputs.results,
    baseline: inputs.baseline,
    cwd: workspace,
    commits: changeCommits(event, env),
  });
  const { verdict, loaded, invalidInput } = outcome;

  const verdictFile = path.join(env.RUNNER_TEMP || os.tmpdir(), 'llm-release-gate', 'verdict.json');
  await mkdir(path.dirname(verdictFile), { recursive: true });
  await writeFile(verdictFile, `${JSON.stringify(verdict, null, 2)}\n`);

  core.setOutput('decision', verdict.decision);
  core.setOutput('readiness', `${verdict.readiness.passed}/${verdict.readiness.total}`);
  core.setOutput('verdict-file', verdictFile);

  const onInconclusive = loaded?.config.evals?.statistics.on_inconclusive ?? 'warn';
  for (const a of annotationsFor(verdict, inputs.config, loaded?.lineOf ?? (() => undefined), onInconclusive)) {
    const props = { title: a.title, file: a.file, startLine: a.line };
    if (a.level === 'error') core.error(a.message, props);
    else if (a.level === 'warning') core.warning(a.message, props);
    else core.notice(a.message, props);
  }

  await writeSummary(verdict, env);
  core.info(`Decision: ${verdict.decision} (readiness ${verdict.readiness.passed}/${verdict.readiness.total}). Verdict: ${verdictFile}`);
  for (const r of verdict.reasons) core.info(`  - ${r}`);

  if (invalidInput) {
    core.setFailed(`llm-release-gate blocked: the ${loaded ? 'eval results' : 'config'} could not be used.\n${verdict.reasons.join('\n')}`);
  } else if (verdict.decision === 'block') {
    if (inputs.failOnBlock) core.setFailed(`llm-release-gate blocked this release:\n${verdict.reasons.map((r) => `- ${r}`).join('\n')}`);
    else core.warning(`llm-release-gate would block this release (report-only: fail-on-block is false).`);
  }
}

async function writeSummary(verdict: Verdict, env: NodeJS.ProcessEnv): Promise<void> {
  if (!env.GITHUB_STEP_SUMMARY) return;
  await core.summary.addRaw(renderSummary(verdict)).write();
}

function setNoRolloutOutputs(): void {
  core.setOutput('check-run-url', '');
  core.setOutput('comment-url', '');
  core.setOutput('rollout-action', 'none');
  core.setOutput('rollout-percent', '');
}

async function readEvent(file: string | undefined): Promise<Record<string, unknown>> {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
  } catch {
    core.warning(`Could not read the event payload at ${file}; commit checks use GITHUB_SHA only.`);
    return {};
  }
}

/** The commits that count as "this change": the PR head (not the merge SHA), merge-queue head, pushed SHA. */
function changeCommits(event: Record<string, unknown>, env: NodeJS.ProcessEnv): string[] {
  const pr = event.pull_request as { head?: { sha?: string } } | undefined;
  const mq = event.merge_group as { head_sha?: string } | undefined;
  return [pr?.head?.sha, mq?.head_sha, env.GITHUB_SHA].filter((s): s is string => typeof s === 'string' && s.length > 0);
}
