import { execFileSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { configJsonSchema } from '../config/schema.js';
import { loadConfigFile, runGate } from '../engine/run-gate.js';
import { ConfigurationError, describeError, isExternalFailure } from '../errors.js';
import { summarizeRun } from '../metrics/summary.js';
import { loadRun } from '../results/load.js';
import { clean, cleanStrings } from '../report/plain.js';
import { renderTerminal } from '../report/terminal.js';
import type { Format } from '../results/model.js';
import { localTick } from '../rollout/local-tick.js';
import { renderRunSummary, renderTick } from './render.js';

const USAGE = `llm-release-gate: gate LLM releases on eval results and the readiness bars

Usage:
  llm-release-gate gate --config FILE [--results FILE]... [--baseline FILE] [--json]
      exit 0 allow, 1 block, 2 invalid input
  llm-release-gate results FILE... [--format FORMAT] [--json]
      the normalized summary of eval results files
  llm-release-gate rollout --config FILE [--release SHA] [--dry-run] [--json]
      one step of the staged rollout (flagd-file written in place, the record kept in
      rollout.state_file; --release defaults to the newest commit that is not a flag change;
      --dry-run writes nothing)
  llm-release-gate schema
      the config JSON Schema
`;

/** Exit codes: 0 allow / ok, 1 block, 2 invalid input (the user's to fix), 3 a bug of ours. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const color = Boolean(process.stdout.isTTY) && !process.env.NO_COLOR;
  switch (command) {
    case 'gate': {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string', default: '.github/llm-release-gate.yml' },
          results: { type: 'string', multiple: true },
          baseline: { type: 'string' },
          commit: { type: 'string', multiple: true },
          json: { type: 'boolean', default: false },
        },
      });
      const outcome = await runGate({
        config: values.config!,
        results: values.results,
        baseline: values.baseline,
        cwd: process.cwd(),
        root: repositoryRoot(process.cwd()),
        commits: values.commit ?? [],
      });
      process.stdout.write(
        values.json
          ? `${JSON.stringify(outcome.verdict, null, 2)}\n`
          : renderTerminal(cleanStrings(outcome.verdict), color),
      );
      return outcome.invalidInput ? 2 : outcome.verdict.decision === 'allow' ? 0 : 1;
    }
    case 'results': {
      const { values, positionals } = parseArgs({
        args: rest,
        allowPositionals: true,
        options: { format: { type: 'string', default: 'auto' }, json: { type: 'boolean', default: false } },
      });
      if (positionals.length === 0)
        throw new ConfigurationError('Name at least one results file: llm-release-gate results FILE --json');
      const run = await loadRun(positionals, { format: values.format as Format | 'auto', cwd: process.cwd() });
      const summary = summarizeRun(run);
      process.stdout.write(
        values.json ? `${JSON.stringify(summary, null, 2)}\n` : renderRunSummary(cleanStrings(summary)),
      );
      return 0;
    }
    case 'rollout': {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: 'string', default: '.github/llm-release-gate.yml' },
          'dry-run': { type: 'boolean', default: false },
          release: { type: 'string' },
          json: { type: 'boolean', default: false },
        },
      });
      const cwd = process.cwd();
      const loaded = await loadConfigFile(values.config!, cwd);
      const tick = await localTick(loaded, {
        cwd,
        now: new Date(),
        gateAllowed: async () =>
          (await runGate({ config: values.config!, cwd, root: repositoryRoot(cwd) })).verdict.decision === 'allow',
        dryRun: values['dry-run']!,
        release: values.release,
        env: process.env,
      });
      process.stdout.write(
        values.json ? `${JSON.stringify(tick, null, 2)}\n` : renderTick(cleanStrings(tick), values['dry-run']!),
      );
      return 0;
    }
    case 'schema':
      process.stdout.write(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return 0;
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new ConfigurationError(`Unknown command '${command}'.\n\n${USAGE}`);
  }
}

/** The CLI's boundary: the git repository it runs in, else the current folder. */
function repositoryRoot(cwd: string): string {
  try {
    return (
      execFileSync('git', ['rev-parse', '--show-toplevel'], {
        cwd,
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
      }).trim() || cwd
    );
  } catch {
    return cwd;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof ConfigurationError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`llm-release-gate: ${clean(describeError(err))}\n`);
      process.exitCode = 2;
    } else if (isExternalFailure(err)) {
      process.stderr.write(`llm-release-gate: a service did not answer as expected: ${clean(describeError(err))}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(
        `llm-release-gate: unexpected error (a bug, please report it):\n${err instanceof Error ? err.stack : String(err)}\n`,
      );
      process.exitCode = 3;
    }
  },
);
