import * as core from '@actions/core';
import { infoUntrusted, say } from './log.js';
import { loadConfigFile, runGate } from '../engine/run-gate.js';
import { ConfigurationError, isExternalFailure } from '../errors.js';
import { escapeMarkdown } from '../report/markdown.js';
import { createClient } from '../github/client.js';
import type { RunContext } from '../github/context.js';
import { RolloutApi } from '../github/rollout-api.js';
import { renderRollout } from '../report/rollout.js';
import { providerFor } from '../rollout/flags/index.js';
import { metricSourceFor } from '../rollout/sources/index.js';
import { PromoteRefused, tick } from '../rollout/tick.js';
import { GitHubStore } from '../rollout/stores/github.js';
import { ROLLOUT_TRAILER } from '../rollout/flags/flagd-file.js';
import { rolloutOf, stagesFrom } from '../rollout/plan.js';
import { effectiveTier } from '../gate/tiers.js';
import { VERSION } from '../version.js';
import type { ActionEnv } from './gate-command.js';
import type { Inputs } from './inputs.js';
import type { Outputs } from './outputs.js';

export interface RolloutEnv extends ActionEnv {
  /** The commit being rolled out (GITHUB_SHA), the branch the flag file lives on, who ran it. */
  sha?: string;
  branch: string;
  actor?: string;
  /** The process environment, where rollout.*.token_env names are looked up. */
  vars: NodeJS.ProcessEnv;
}

const log = { debug: core.debug, info: core.info, warning: core.warning };

/** rollout / promote / rollback: one step of the staged rollout, recorded in a GitHub Deployment. */
export async function rolloutCommand(
  command: 'rollout' | 'promote' | 'rollback',
  inputs: Inputs,
  ctx: RunContext,
  env: RolloutEnv,
  outputs: Outputs,
): Promise<void> {
  if (!inputs.githubToken) {
    throw new ConfigurationError(`command: ${command} needs a token.`, [
      {
        file: 'workflow inputs',
        message:
          "Input 'github-token' is empty: a rollout records its state in a GitHub Deployment and commits the flag file; grant deployments: write, contents: write, issues: write, checks: read",
      },
    ]);
  }
  if (inputs.release !== undefined && !/^[0-9a-f]{40}$/i.test(inputs.release))
    throw new ConfigurationError(`Input 'release' is ${JSON.stringify(inputs.release.slice(0, 60))}.`, [
      { file: 'workflow inputs', message: "Input 'release' must be a full 40-character commit SHA (or empty)" },
    ]);
  const loaded = await loadConfigFile(inputs.config, env.workspace);
  const rollout = rolloutOf(loaded);
  // Every token the config names is masked in the log before anything can print it.
  for (const name of [rollout.flag.token_env, rollout.analysis?.source.token_env]) {
    const value = name ? env.vars[name] : undefined;
    if (value) core.setSecret(value);
  }
  const now = new Date();
  const metrics = metricSourceFor(rollout, env.workspace, env.vars, () => now);
  const gh = new RolloutApi(
    createClient(inputs.githubToken, ctx.apiUrl, log, VERSION, inputs.apiTimeouts),
    ctx.owner,
    ctx.repo,
  );
  const branch = env.branch;
  const flagPath = rollout.flag.provider === 'flagd-file' ? rollout.flag.path : undefined;
  let result;
  try {
    // The release is the commit the gate approved: on a schedule GITHUB_SHA is the branch's newest
    // commit, which may be this rollout's own flag commit.
    const head = env.sha ?? ctx.headSha;
    const release = inputs.release ?? (flagPath ? await gh.releaseCommit(head, ROLLOUT_TRAILER, flagPath) : head);
    const stages = stagesFrom(rollout, effectiveTier(loaded.config));
    const store = new GitHubStore(gh, {
      environment: rollout.environment,
      flagKey: rollout.flag.key,
      stages: stages.map((s) => s.percent),
      checkName: inputs.checkName,
      runUrl: ctx.runUrl,
      gateInPlace: async () =>
        (await runGate({ config: inputs.config, cwd: env.workspace, commits: ctx.commits })).verdict.decision ===
        'allow',
    });
    result = await tick(
      loaded,
      store,
      {
        release,
        now,
        metrics,
        actor: env.actor,
        provider: (applied) => providerFor(rollout, { gh, branch, release, env: env.vars, applied }),
      },
      command,
    );
    if (release !== head) result.log.unshift(`release ${release.slice(0, 12)} (${head.slice(0, 12)} is a flag commit)`);
  } catch (err) {
    if (err instanceof PromoteRefused) throw new ConfigurationError(`promote refused: ${err.message}.`);
    // The kill switch fails loudly; a scheduled step holds and the next tick tries again.
    if (!isExternalFailure(err) || command === 'rollback') throw err;
    const why = `a service did not answer (${err instanceof Error ? err.message : String(err)})`;
    outputs.set('rollout-action', 'hold');
    say.warning(`Rollout: hold: ${why}. Nothing more was changed by this run; the next run tries again.`);
    if (env.hasSummary)
      await core.summary
        .addRaw(
          `## ⏸️ Rollout of ${escapeMarkdown(rollout.flag.key, 80)}: **hold**\n\n**Why:** ${escapeMarkdown(why, 600)}\n\n**Next:** the next run tries again.\n`,
        )
        .write();
    return;
  }
  const d = result.decision;
  outputs.set('rollout-action', d.action);
  outputs.set('rollout-percent', String(d.percent));
  for (const w of d.warnings) say.warning(w);
  if (d.alert) say.warning(d.alert);
  infoUntrusted([`Rollout: ${d.action} → ${d.percent}%: ${d.reason}. Next: ${d.next}`, ...result.log]);
  if (env.hasSummary)
    await core.summary.addRaw(renderRollout(d, result.log, result.issueUrl, rollout.flag.key)).write();
}
