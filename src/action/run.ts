import * as core from '@actions/core';
import { say } from './log.js';
import os from 'node:os';
import { ConfigurationError, describeError, isExternalFailure } from '../errors.js';
import { runContext, type GitHubRunContext } from '../github/context.js';
import { gateCommand, recordStopped, type ActionEnv } from './gate-command.js';
import { readInputs, type Inputs } from './inputs.js';
import { Outputs } from './outputs.js';
import { rolloutCommand } from './rollout-command.js';

/**
 * The action's one entry: inputs → command → outputs, with the one try/catch. Whatever happens, every
 * output is written once at the end, and `decision` is `block` unless the gate allowed.
 */
export async function run(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const outputs = new Outputs();
  let gate: { inputs: Inputs; env: ActionEnv } | undefined;
  try {
    const inputs = readInputs((name) => core.getInput(name));
    const ctx = runContext(await githubContext(env));
    const actionEnv = {
      workspace: env.GITHUB_WORKSPACE || process.cwd(),
      tempDir: env.RUNNER_TEMP || os.tmpdir(),
      hasSummary: Boolean(env.GITHUB_STEP_SUMMARY),
    };
    if (inputs.command !== 'gate') outputs.set('decision', '');
    if (inputs.command === 'gate') {
      gate = { inputs, env: actionEnv };
      await recordStopped(
        'the run ended before the gate could finish (out of memory, killed, or timed out): see the job log',
        inputs,
        actionEnv,
        outputs,
      );
      await gateCommand(inputs, ctx, actionEnv, outputs);
    } else
      await rolloutCommand(
        inputs.command,
        inputs,
        ctx,
        {
          ...actionEnv,
          sha: env.GITHUB_SHA,
          branch: env.GITHUB_REF_NAME || 'main',
          actor: env.GITHUB_ACTOR,
          vars: env,
        },
        outputs,
      );
  } catch (err) {
    // Whatever happened, never leave an `allow` behind; the gate's verdict file and summary say why.
    outputs.set('decision', 'block');
    if (gate) await recordStopped(describeError(err), gate.inputs, gate.env, outputs);
    if (err instanceof ConfigurationError) say.setFailed(describeError(err));
    else if (isExternalFailure(err))
      say.setFailed(
        `llm-release-gate could not finish: a service did not answer as expected (${describeError(err)}). Nothing is wrong with your config; re-run the job.`,
      );
    else {
      say.setFailed(
        `llm-release-gate failed unexpectedly (a bug in the action, not in your config): ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\nPlease report it with this log.`,
      );
    }
  } finally {
    outputs.write(core.setOutput);
  }
}

/**
 * @actions/github's run context. It reads the runner's environment (and parses the event payload)
 * when it is loaded, so it is loaded here, inside the run: an unreadable payload or a missing
 * GITHUB_REPOSITORY is said as a warning, and the commit checks fall back to GITHUB_SHA alone.
 */
async function githubContext(env: NodeJS.ProcessEnv): Promise<GitHubRunContext> {
  const [owner = '', repo = ''] = (env.GITHUB_REPOSITORY ?? '/').split('/');
  try {
    const { context } = await import('@actions/github');
    let names = { owner, repo };
    try {
      names = context.repo;
    } catch {
      // no GITHUB_REPOSITORY and no repository in the payload: API calls will say what is missing
    }
    return {
      payload: context.payload,
      eventName: context.eventName,
      sha: context.sha,
      runId: context.runId,
      runAttempt: context.runAttempt,
      apiUrl: context.apiUrl,
      serverUrl: context.serverUrl,
      repo: names,
    };
  } catch (err) {
    say.warning(
      `Could not read the event payload at ${env.GITHUB_EVENT_PATH} (${err instanceof Error ? err.message : String(err)}); commit checks use GITHUB_SHA only.`,
    );
    return {
      payload: {},
      eventName: env.GITHUB_EVENT_NAME ?? '',
      sha: env.GITHUB_SHA ?? '',
      runId: Number(env.GITHUB_RUN_ID),
      runAttempt: Number(env.GITHUB_RUN_ATTEMPT),
      apiUrl: env.GITHUB_API_URL || 'https://api.github.com',
      serverUrl: env.GITHUB_SERVER_URL || 'https://github.com',
      repo: { owner, repo },
    };
  }
}
