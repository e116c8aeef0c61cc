/**
 * The flagd flag the rollout manages (SPEC §7): a boolean flag with variants on/off whose targeting
 * is a fractional split [["on", P], ["off", 100 - P]]. Other flags in the file are left as they were.
 */
export interface FlagdDocument {
  $schema?: string;
  flags: Record<string, unknown>;
  [key: string]: unknown;
}

export class FlagdError extends Error {}

/** The live percentage of `key`: 0 when the flag is absent or disabled. */
export function flagdPercent(doc: unknown, key: string): number {
  if (typeof doc !== 'object' || doc === null || typeof (doc as FlagdDocument).flags !== 'object') {
    throw new FlagdError('the file is not a flagd flag definition (no "flags" object)');
  }
  const flag = (doc as FlagdDocument).flags[key] as Record<string, unknown> | undefined;
  if (flag === undefined) return 0;
  if (flag.state === 'DISABLED') return 0;
  const targeting = flag.targeting as { fractional?: unknown } | undefined;
  if (!targeting || Object.keys(targeting).length === 0) return flag.defaultVariant === 'on' ? 100 : 0;
  const split = targeting.fractional;
  if (!Array.isArray(split))
    throw new FlagdError(
      `flag ${key} has targeting the rollout does not manage (expected a fractional split of "on" and "off")`,
    );
  let on = 0;
  let total = 0;
  for (const entry of split) {
    if (!Array.isArray(entry) || typeof entry[0] !== 'string' || typeof entry[1] !== 'number')
      throw new FlagdError(`flag ${key} has a fractional entry the rollout does not understand`);
    total += entry[1];
    if (entry[0] === 'on') on += entry[1];
  }
  return total > 0 ? Math.round((on / total) * 100_000) / 1000 : 0;
}

/** The document with `key` set to `percent` (a fresh flag when absent); everything else untouched. */
export function withFlagdPercent(doc: FlagdDocument, key: string, percent: number): FlagdDocument {
  const p = Math.max(0, Math.min(100, percent));
  return {
    ...doc,
    flags: {
      ...doc.flags,
      [key]: {
        ...(doc.flags[key] as object | undefined),
        state: 'ENABLED',
        variants: { on: true, off: false },
        defaultVariant: 'off',
        targeting: { fractional: fractionalSplit(p) },
      },
    },
  };
}

/**
 * flagd's fractional weights are whole numbers: [P, 100 − P] for a whole percentage, scaled to
 * thousandths of a percent otherwise (0.5% → [500, 99500]), which flagd serves as the same share.
 */
export function fractionalSplit(percent: number): [string, number][] {
  const scale = Number.isInteger(percent) ? 1 : 1000;
  const on = Math.round(percent * scale);
  return [
    ['on', on],
    ['off', 100 * scale - on],
  ];
}
