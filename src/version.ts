declare const __VERSION__: string | undefined;

/** The package version, written in by the bundle step (scripts/bundle.mjs) from package.json; `dev` unbundled. */
export const VERSION: string = typeof __VERSION__ === 'string' ? __VERSION__ : 'dev';
