import { ConfigurationError } from '../../errors.js';
import path from 'node:path';
import { statusOf } from '../../github/client.js';
import type { RolloutApi } from '../../github/rollout-api.js';
import { FlagdError, flagdPercent, type FlagdDocument, withFlagdPercent } from './flagd-document.js';
import { readFile, writeFile } from 'node:fs/promises';
import { ConflictError, type FlagProvider, type FlagState } from './types.js';

/** The trailer every flag commit of the rollout carries: such a commit is never taken for a release. */
export const ROLLOUT_TRAILER = 'Llm-Release-Gate: rollout';

/** The flagd file in the repository, committed through the Contents API (the file's sha is the precondition). */
export class GitHubFlagdProvider implements FlagProvider {
  private last?: { doc: FlagdDocument; sha?: string };

  constructor(
    private readonly gh: RolloutApi,
    private readonly path: string,
    private readonly key: string,
    private readonly branch: string,
  ) {}

  describe(): string {
    return `flagd file ${this.path} on ${this.branch}, flag ${this.key}`;
  }

  async read(): Promise<FlagState> {
    const file = await this.gh.readFile(this.path, this.branch);
    let doc: FlagdDocument;
    try {
      doc = file ? (JSON.parse(file.text) as FlagdDocument) : { flags: {} };
    } catch {
      throw new Error(`${this.path} is not valid JSON`);
    }
    this.last = { doc, sha: file?.sha };
    return { percent: flagdPercent(doc, this.key) };
  }

  async write(percent: number, expected: number): Promise<void> {
    const now = (await this.read().catch(() => undefined))?.percent;
    if (now !== expected || !this.last)
      throw new ConflictError(`the flag is at ${now ?? 'an unreadable value'}%, expected ${expected}%`);
    try {
      await this.gh.writeFile(
        this.path,
        this.branch,
        `${JSON.stringify(withFlagdPercent(this.last.doc, this.key, percent), null, 2)}\n`,
        this.last.sha,
        `rollout: ${this.key} ${expected}% → ${percent}%\n\n${ROLLOUT_TRAILER}`,
      );
    } catch (err) {
      const s = statusOf(err);
      if (s === 409 || s === 422) throw new ConflictError(`${this.path} changed while writing it`);
      throw err;
    }
  }
}

/** flagd-file written in place (the CLI; the action commits it through the Contents API). */
export class FlagdFileProvider implements FlagProvider {
  constructor(
    private readonly file: string,
    private readonly key: string,
  ) {}

  describe(): string {
    return `flagd file ${this.file}, flag ${this.key}`;
  }

  private async doc(): Promise<FlagdDocument> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { flags: {} };
      throw this.unusable('read', err);
    }
    try {
      return JSON.parse(text) as FlagdDocument;
    } catch {
      throw new FlagdError(`${this.file} is not valid JSON`);
    }
  }

  async read(): Promise<FlagState> {
    return { percent: flagdPercent(await this.doc(), this.key) };
  }

  async write(percent: number, expected: number): Promise<void> {
    const doc = await this.doc();
    const now = flagdPercent(doc, this.key);
    if (now !== expected) throw new ConflictError(`the flag moved to ${now}% (expected ${expected}%)`);
    try {
      await writeFile(this.file, `${JSON.stringify(withFlagdPercent(doc, this.key, percent), null, 2)}\n`);
    } catch (err) {
      throw this.unusable('written', err);
    }
  }

  /** A file system error on the flag file, as the user's to fix (rollout.flag.path). */
  private unusable(what: 'read' | 'written', err: unknown): ConfigurationError {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? `its folder ${path.dirname(this.file)} does not exist: create it, or fix rollout.flag.path`
        : code === 'EISDIR'
          ? 'it is a directory: rollout.flag.path names the flagd JSON file'
          : code === 'EACCES' || code === 'EPERM'
            ? 'permission denied'
            : `${code ?? String(err)}`;
    return new ConfigurationError(`The flagd file ${this.file} cannot be ${what}.`, [
      { file: this.file, path: 'rollout.flag.path', message: why },
    ]);
  }
}
