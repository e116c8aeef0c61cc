import path from 'node:path';
import { readFile } from 'node:fs/promises';
import type { OnlineMetrics } from '../analysis.js';
import { parseOnlineMetrics } from './online-metrics.js';
import type { MetricSource } from './types.js';

export class FileMetricSource implements MetricSource {
  constructor(
    private readonly file: string,
    private readonly now: () => Date,
  ) {}

  describe(): string {
    return `metrics file ${this.file}`;
  }

  async read(): Promise<OnlineMetrics> {
    let text: string;
    try {
      text = await readFile(this.file, 'utf8');
    } catch (err) {
      throw new Error(`${this.file} cannot be read (${(err as NodeJS.ErrnoException).code ?? String(err)})`);
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(`${this.file} is not valid JSON`);
    }
    return parseOnlineMetrics(raw, path.basename(this.file), this.now());
  }
}
