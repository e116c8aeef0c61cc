import type { OnlineMetrics } from '../analysis.js';

/** Where the canary's and the control's online metrics come from. */
export interface MetricSource {
  describe(): string;
  read(): Promise<OnlineMetrics>;
}
