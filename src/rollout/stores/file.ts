import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { ConfigurationError } from '../../errors.js';
import type { RolloutStore, StatusState, StoredDeployment } from '../store.js';

/** Where the CLI keeps its rollout record when rollout.state_file does not say. */
export const DEFAULT_STATE_FILE = '.llm-release-gate/rollout-state.json';
/** Deployments kept in the state file (the newest is the one that counts). */
const KEEP = 20;

interface StateFile {
  version: 1;
  deployments: StoredDeployment[];
}

/**
 * The CLI's rollout record: the same deployments and statuses the action keeps in GitHub, in a JSON
 * file (written whole, through a rename, so an interrupted write never leaves half a file).
 */
export class FileStore implements RolloutStore {
  constructor(
    private readonly file: string,
    private readonly now: () => Date,
    private readonly gate: () => Promise<boolean>,
  ) {}

  private async load(): Promise<StateFile> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return { version: 1, deployments: [] };
      throw err;
    }
    let doc: StateFile | undefined;
    try {
      doc = JSON.parse(text) as StateFile;
    } catch {
      doc = undefined;
    }
    if (doc?.version !== 1 || !Array.isArray(doc.deployments))
      throw new ConfigurationError(`${this.file} is not a rollout state file.`, [
        {
          file: this.file,
          message:
            'expected {"version": 1, "deployments": [...]} as the CLI writes it: move the file away to start afresh (the flag keeps its percentage)',
        },
      ]);
    return doc;
  }

  private async save(doc: StateFile): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    const tmp = `${this.file}.${process.pid}.tmp`;
    await writeFile(tmp, `${JSON.stringify({ ...doc, deployments: doc.deployments.slice(-KEEP) }, null, 2)}\n`);
    await rename(tmp, this.file);
  }

  async latest(): Promise<StoredDeployment | undefined> {
    return (await this.load()).deployments.at(-1);
  }

  async create(release: string): Promise<number> {
    const doc = await this.load();
    const id = (doc.deployments.at(-1)?.id ?? 0) + 1;
    doc.deployments.push({ id, release, createdAt: this.now().toISOString(), statuses: [] });
    await this.save(doc);
    return id;
  }

  async status(id: number, state: StatusState, description: string): Promise<void> {
    const doc = await this.load();
    const d = doc.deployments.find((x) => x.id === id);
    if (!d) throw new Error(`${this.file} has no deployment ${id}`);
    d.statuses.push({ state, description, createdAt: this.now().toISOString() });
    await this.save(doc);
  }

  async alert(): Promise<undefined> {
    return undefined;
  }

  async gateVerdict(): Promise<{ allowed: boolean; note: string }> {
    const allowed = await this.gate();
    return { allowed, note: `the gate ran on the workspace: ${allowed ? 'allow' : 'block'}` };
  }
}
