/**
 * What the CLI's commands load, in one module: the bundle keeps it, and what only it uses, in one
 * chunk, loaded in one step. Each module the loader resolves, reads, compiles and links costs a cold
 * start about a millisecond; the gate loaded 15 of them. `rollout` adds its own (local-tick.ts), `init`
 * its own (init.ts, with the YAML library, which the gate loads only for a config outside the plain
 * subset simple-yaml.ts reads).
 */
export { loadConfigFile, runGate } from '../engine/run-gate.js';
export { configJsonSchema } from '../config/schema.js';
export { summarizeRun } from '../metrics/summary.js';
export { renderTerminal } from '../report/terminal.js';
export { loadRun } from '../results/load.js';
export { renderRunSummary, renderTick } from './render.js';
