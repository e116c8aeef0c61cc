import type { StatusLike } from './record.js';

/** A deployment as a store keeps it: one per release, its statuses oldest first. */
export interface StoredDeployment {
  id: number;
  release: string;
  createdAt: string;
  statuses: StatusLike[];
}

export type StatusState = 'in_progress' | 'success' | 'failure' | 'inactive';

/**
 * Where the rollout keeps its record between ticks: GitHub Deployments in the action, a state file
 * for the CLI. Alerts go to the owner where the store can reach them (an issue on GitHub).
 */
export interface RolloutStore {
  /** The newest deployment of the environment, whatever its release. */
  latest(): Promise<StoredDeployment | undefined>;
  create(release: string): Promise<number>;
  status(id: number, state: StatusState, description: string): Promise<void>;
  /**
   * Tell the owner: open an issue, or add to `existing`. Returns its number and URL; undefined when
   * this store has nowhere to send it (the CLI prints it). Throws when the service refused.
   */
  alert(title: string, body: string, existing?: number): Promise<{ number: number; url: string } | undefined>;
  /** Did the gate allow this release? undefined: it could not be told. With a note on how it was told. */
  gateVerdict(release: string): Promise<{ allowed: boolean | undefined; note: string }>;
}
