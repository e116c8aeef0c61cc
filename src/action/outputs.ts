/** The action's outputs (action.yml), each written once at the end of the run, whatever happened. */
export const OUTPUT_NAMES = [
  'decision',
  'readiness',
  'verdict-file',
  'check-run-url',
  'comment-url',
  'rollout-action',
  'rollout-percent',
] as const;
export type OutputName = (typeof OUTPUT_NAMES)[number];

/**
 * Collects the outputs during the run. The defaults are the fail-closed ones: `decision` is `block`
 * until the gate says otherwise, so a run that stops early never leaves an `allow` (or nothing) behind.
 */
export class Outputs {
  private readonly values: Record<OutputName, string> = {
    decision: 'block',
    readiness: '',
    'verdict-file': '',
    'check-run-url': '',
    'comment-url': '',
    'rollout-action': 'none',
    'rollout-percent': '',
  };

  set(name: OutputName, value: string): void {
    this.values[name] = value;
  }

  get(name: OutputName): string {
    return this.values[name];
  }

  /** Write every output once (through @actions/core's setOutput in the action). */
  write(setOutput: (name: string, value: string) => void): void {
    for (const name of OUTPUT_NAMES) setOutput(name, this.values[name]);
  }
}
