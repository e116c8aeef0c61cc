#!/usr/bin/env node
import { existsSync, fstatSync, writeSync } from 'node:fs';
import path from 'node:path';
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { ConfigurationError, describeError, isExternalFailure } from '../errors.js';
import { clean, cleanStrings } from '../report/plain.js';
import { FORMAT_NAMES, type Format } from '../results/model.js';
import { VERSION } from '../version.js';

interface Option {
  type: 'string' | 'boolean';
  multiple?: boolean;
  default?: string | boolean;
  /** What the value is, in the help: FILE, SHA, FORMAT. */
  value?: string;
  help: string;
}

interface Command {
  usage: string;
  summary: string;
  options: Record<string, Option>;
  positionals?: string;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[]): Promise<number>;
}

const CONFIG: Option = {
  type: 'string',
  value: 'FILE',
  help: 'the readiness config (default .github/llm-release-gate.yml at the repository root). Paths inside it are relative to the repository root, wherever you run the command',
};
const JSON_OUT: Option = { type: 'boolean', default: false, help: 'print JSON instead of the report' };

/**
 * Paths given on the command line are relative to the current folder; the engine works from the
 * repository root (as the action does from GITHUB_WORKSPACE), so they are rebased onto it.
 */
function fromRoot(root: string, p: string): string {
  return path.relative(root, path.resolve(process.cwd(), p)) || '.';
}

const COMMANDS: Record<string, Command> = {
  gate: {
    usage: 'llm-release-gate gate [--config FILE] [--results FILE]... [--baseline FILE] [--commit SHA]... [--json]',
    summary: 'judge the eval results against the readiness config: exit 0 allow, 1 block, 2 invalid input',
    options: {
      config: CONFIG,
      results: {
        type: 'string',
        multiple: true,
        value: 'FILE',
        help: 'eval results file or glob; overrides evals.results',
      },
      baseline: { type: 'string', value: 'FILE', help: 'baseline results file; overrides evals.baseline' },
      commit: {
        type: 'string',
        multiple: true,
        value: 'SHA',
        help: 'a commit that counts as this change: results that name another commit are stale (default: no check)',
      },
      json: JSON_OUT,
    },
    async run(values) {
      for (const sha of (values.commit as string[] | undefined) ?? [])
        if (!/^[0-9a-f]{7,40}$/i.test(sha))
          throw new ConfigurationError(`--commit ${sha} is not a commit SHA (7 to 40 hexadecimal characters).`);
      const { runGate, renderTerminal } = await import('./commands.js');
      const root = repositoryRoot(process.cwd());
      const outcome = await runGate({
        config: configPath(root, values.config as string | undefined),
        results: (values.results as string[] | undefined)?.map((r) => fromRoot(root, r)),
        baseline: values.baseline === undefined ? undefined : fromRoot(root, values.baseline as string),
        cwd: root,
        root,
        commits: (values.commit as string[] | undefined) ?? [],
      });
      if (values.json) out(`${JSON.stringify(outcome.verdict, null, 2)}\n`);
      else out(renderTerminal(cleanStrings(outcome.verdict), await useColor()));
      return outcome.invalidInput ? 2 : outcome.verdict.decision === 'allow' ? 0 : 1;
    },
  },
  results: {
    usage: 'llm-release-gate results FILE... [--format FORMAT] [--json]',
    summary: 'read eval results files and print their normalized summary (the format is recognised from the content)',
    positionals: 'FILE',
    options: {
      format: {
        type: 'string',
        default: 'auto',
        value: 'FORMAT',
        help: `the results format: ${['auto', ...FORMAT_NAMES].join(', ')}`,
      },
      json: JSON_OUT,
    },
    async run(values, positionals) {
      if (positionals.length === 0)
        throw new ConfigurationError('Name at least one results file: llm-release-gate results FILE [--json]');
      const format = values.format as string;
      if (format !== 'auto' && !(FORMAT_NAMES as readonly string[]).includes(format))
        throw new ConfigurationError(
          `Unknown --format '${format}': use one of auto, ${FORMAT_NAMES.join(', ')} (auto recognises the format from the content).`,
        );
      const { loadRun, summarizeRun, renderRunSummary } = await import('./commands.js');
      const run = await loadRun(positionals, {
        format: format as Format | 'auto',
        cwd: process.cwd(),
        root: repositoryRoot(process.cwd()),
      });
      const summary = summarizeRun(run);
      out(values.json ? `${JSON.stringify(summary, null, 2)}\n` : renderRunSummary(cleanStrings(summary)));
      return 0;
    },
  },
  rollout: {
    usage: 'llm-release-gate rollout [--config FILE] [--release SHA] [--dry-run] [--json]',
    summary:
      'take one step of the staged rollout: a flagd file is written in place, the record kept in rollout.state_file',
    options: {
      config: CONFIG,
      release: {
        type: 'string',
        value: 'SHA',
        help: 'the commit being released (default: the newest commit that is not a flag change)',
      },
      'dry-run': { type: 'boolean', default: false, help: 'say what the step would be; write nothing' },
      json: JSON_OUT,
    },
    async run(values) {
      const [{ loadConfigFile, runGate, renderTick }, { localTick }] = await Promise.all([
        import('./commands.js'),
        import('../rollout/local-tick.js'),
      ]);
      const root = repositoryRoot(process.cwd());
      const config = configPath(root, values.config as string | undefined);
      const loaded = await loadConfigFile(config, root, root);
      const tick = await localTick(loaded, {
        cwd: root,
        now: new Date(),
        gateAllowed: async () => (await runGate({ config, cwd: root, root })).verdict.decision === 'allow',
        dryRun: values['dry-run'] as boolean,
        release: values.release as string | undefined,
        env: process.env,
      });
      out(
        values.json
          ? `${JSON.stringify(tick, null, 2)}\n`
          : renderTick(cleanStrings(tick), values['dry-run'] as boolean),
      );
      return 0;
    },
  },
  init: {
    usage: 'llm-release-gate init [--tier low|medium|high|critical] [--config FILE] [--force]',
    summary:
      'write a starter config from what the repository says (eval tool, deploy workflow, CODEOWNERS) and print the readiness path',
    options: {
      tier: {
        type: 'string',
        value: 'TIER',
        help: 'the risk tier: low, medium, high or critical (asked on a terminal when not given)',
      },
      config: {
        type: 'string',
        value: 'FILE',
        help: 'where to write it (default .github/llm-release-gate.yml at the repository root)',
      },
      force: { type: 'boolean', default: false, help: 'replace an existing config' },
    },
    async run(values) {
      const [{ runGate }, { init, readinessPath }] = await Promise.all([import('./commands.js'), import('./init.js')]);
      const root = repositoryRoot(process.cwd());
      const ask = process.stdin.isTTY
        ? async (question: string) => {
            const { createInterface } = await import('node:readline/promises');
            // Asked on stderr: the terminal shows it even when stdout goes to a file.
            const rl = createInterface({ input: process.stdin, output: stream(2) });
            try {
              return await rl.question(question);
            } catch (err) {
              if ((err as Error).name !== 'AbortError') throw err;
              errOut('\n');
              throw new ConfigurationError('init was cancelled at its question (Ctrl+D): no config was written.');
            } finally {
              rl.close();
            }
          }
        : undefined;
      const { file, facts } = await init({
        root,
        config: configPath(root, values.config as string | undefined),
        tier: values.tier as string | undefined,
        force: values.force as boolean,
        ask,
      });
      const found = [
        facts.tool ? `eval tool ${facts.tool.name} (${facts.tool.seen})` : 'no eval tool recognised',
        facts.deployWorkflows.length ? `deploy workflow ${facts.deployWorkflows[0]}` : 'no deploy workflow',
        facts.owner ? `owner ${facts.owner} (CODEOWNERS)` : 'no owner in CODEOWNERS',
      ];
      out(`Wrote ${path.relative(process.cwd(), path.join(root, file)) || file}: ${found.join('; ')}.\n\n`);
      const { verdict } = await runGate({ config: file, cwd: root, root });
      out(readinessPath(cleanStrings(verdict)));
      return 0;
    },
  },
  schema: {
    usage: 'llm-release-gate schema',
    summary: "print the config's JSON Schema (for editors: see the README's yaml-language-server line)",
    options: {},
    async run() {
      const { configJsonSchema } = await import('./commands.js');
      out(`${JSON.stringify(configJsonSchema(), null, 2)}\n`);
      return 0;
    },
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((c) => c.length));
  return [
    `llm-release-gate ${VERSION}: gate LLM releases on eval results and the seven readiness bars`,
    '',
    'Usage: llm-release-gate COMMAND [OPTIONS]',
    '',
    'Commands:',
    ...Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(width)}  ${c.summary}`),
    `  ${'help'.padEnd(width)}  this help, or a command's: llm-release-gate help gate (or gate --help)`,
    '',
    'llm-release-gate --version prints the version. Exit codes: 0 allow (or done), 1 block, 2 invalid input, 3 a bug.',
    '',
  ].join('\n');
}

function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const opts = Object.entries(c.options).map(([key, o]) => {
    const flag = `--${key}${o.value ? ` ${o.value}` : ''}${o.multiple ? ' (repeatable)' : ''}`;
    const dflt = o.default !== undefined && o.type === 'string' ? ` (default ${o.default})` : '';
    return { flag, text: `${o.help}${dflt}` };
  });
  opts.push({ flag: '--help, -h', text: 'this help' });
  const width = Math.max(...opts.map((o) => o.flag.length));
  return [
    `${c.summary[0]!.toUpperCase()}${c.summary.slice(1)}.`,
    '',
    `Usage: ${c.usage}`,
    '',
    'Options:',
    ...opts.map((o) => `  ${o.flag.padEnd(width)}  ${o.text}`),
    '',
  ].join('\n');
}

/** Exit codes: 0 allow / ok, 1 block, 2 invalid input (the user's to fix), 3 a bug of ours. */
async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (command === '--version' || command === '-v' || command === 'version') {
    out(`${VERSION}\n`);
    return 0;
  }
  if (command === undefined || command === 'help' || command === '--help' || command === '-h') {
    const topic = rest[0];
    if (topic !== undefined && COMMANDS[topic]) out(commandHelp(topic));
    else if (topic !== undefined) throw new ConfigurationError(`Unknown command '${topic}'.\n\n${usage()}`);
    else out(usage());
    return command === undefined ? 2 : 0;
  }
  const cmd = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined;
  if (!cmd) throw new ConfigurationError(`Unknown command '${command}'.\n\n${usage()}`);
  if (rest.includes('--help') || rest.includes('-h')) {
    out(commandHelp(command));
    return 0;
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: cmd.positionals !== undefined,
    options: Object.fromEntries(
      Object.entries(cmd.options).map(([k, o]) => [
        k,
        {
          type: o.type,
          ...(o.multiple ? { multiple: true } : {}),
          ...(o.default !== undefined ? { default: o.default } : {}),
        },
      ]),
    ) as ParseArgsConfig['options'],
  });
  return cmd.run(values as Record<string, string | boolean | string[] | undefined>, positionals);
}

/** The config path: as given, relative to the current folder; else the default at the repository root. */
function configPath(root: string, given: string | undefined): string {
  return given === undefined ? '.github/llm-release-gate.yml' : fromRoot(root, given);
}

/** Colour on a terminal; FORCE_COLOR (not 0/false) forces it, NO_COLOR turns it off. */
async function useColor(): Promise<boolean> {
  const force = process.env.FORCE_COLOR;
  if (force !== undefined && force !== '') return force !== '0' && force !== 'false';
  if (process.env.NO_COLOR) return false;
  // A terminal is a character device: node:tty (which loads net and the streams, ~3 ms) only then.
  try {
    if (!fstatSync(1).isCharacterDevice()) return false;
  } catch {
    return false;
  }
  return (await import('node:tty')).isatty(1);
}

/**
 * The CLI's boundary: the git repository it runs in (the nearest folder up with a `.git` directory,
 * or the `.git` file of a worktree or submodule), else the current folder. Found on disk: no git
 * process to start.
 */
function repositoryRoot(cwd: string): string {
  for (let dir = path.resolve(cwd); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, '.git'))) return dir;
    if (path.dirname(dir) === dir) return cwd;
  }
}

/**
 * Output goes to file descriptors 1 and 2 directly, not through process.stdout and process.stderr:
 * Node sets a stream up on its first use (~4-6 ms of a cold start for a pipe). The streams serve
 * only where they must: a pipe that is full and does not block (the rest waits in the stream) and
 * `init`'s question. `streams` says whether they did.
 */
let streams = false;
/** The reader of stdout went away (`| head`): the rest of the output is dropped, the exit code kept. */
let readerGone = false;

function stream(fd: 1 | 2): NodeJS.WriteStream {
  if (!streams)
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (err.code === 'EPIPE') {
        readerGone = true;
        return;
      }
      // The stream fails on its own, outside the command: said here, and the command fails.
      process.exitCode = 2;
      try {
        writeSync(2, `llm-release-gate: ${unwritable(err).message}\n`);
      } finally {
        process.exit();
      }
    });
  streams = true;
  return fd === 1 ? process.stdout : process.stderr;
}

const unwritable = (err: NodeJS.ErrnoException) =>
  new ConfigurationError(
    `The output could not be written to standard output (${err.code ?? err.message}): check where it goes (a full disk, a descriptor not open for writing) or send it elsewhere.`,
  );

/** stdout cannot be written: quiet when its reader went away; else the command fails (exit 2). */
function stdoutFailed(err: NodeJS.ErrnoException): void {
  if (err.code === 'EPIPE') readerGone = true;
  else throw unwritable(err);
}

function write(fd: 1 | 2, text: string): void {
  if (fd === 1 && readerGone) return;
  if (streams) {
    stream(fd).write(text);
    return;
  }
  const bytes = Buffer.from(text);
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(fd, bytes, at);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EAGAIN') stream(fd).write(bytes.subarray(at));
    // What cannot be written to stderr has nowhere else to go; the exit code still says it.
    else if (fd === 1) stdoutFailed(err as NodeJS.ErrnoException);
  }
}

const out = (text: string) => write(1, text);
const errOut = (text: string) => write(2, text);

/**
 * Exits once what was written has left: at once when it went to the descriptors directly (or its
 * reader is gone), else when the streams have flushed (they may be asynchronous, as pipes are on
 * macOS). Left to itself, Node would first wait ~6 ms for V8's background work (code being
 * optimized) a finished command no longer needs.
 */
function exitWhenWritten(): void {
  if (!streams || readerGone) process.exit();
  process.stderr.write('', () => process.stdout.write('', () => process.exit()));
}

main(process.argv.slice(2))
  .then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof ConfigurationError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
        const command = process.argv[2];
        const hint =
          (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS') && command && Object.hasOwn(COMMANDS, command)
            ? ` (llm-release-gate ${command} --help lists its options)`
            : '';
        process.exitCode = 2;
        errOut(`llm-release-gate: ${clean(describeError(err))}${hint}\n`);
      } else if (isExternalFailure(err)) {
        process.exitCode = 1;
        errOut(`llm-release-gate: a service did not answer as expected: ${clean(describeError(err))}\n`);
      } else {
        // The bundle is minified: its source maps name src/ lines when they are on.
        const mapped = process.sourceMapsEnabled ? '' : '\n(NODE_OPTIONS=--enable-source-maps names the source lines)';
        process.exitCode = 3;
        errOut(
          `llm-release-gate: unexpected error (a bug, please report it):\n${err instanceof Error ? err.stack : String(err)}${mapped}\n`,
        );
      }
    },
  )
  .finally(exitWhenWritten);
