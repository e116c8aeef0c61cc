import { type RolloutConfig } from '../../config/schema.js';
import type { RolloutApi } from '../../github/rollout-api.js';
import { type FlagProvider } from './types.js';
import { GitHubFlagdProvider } from './flagd-file.js';
import { WebhookProvider } from './webhook.js';
import { UnleashProvider } from './unleash.js';
import { LaunchDarklyProvider } from './launchdarkly.js';

/** The provider the config names. `applied` is the percentage the deployment record last set (webhooks cannot be read). */
export function providerFor(
  rollout: RolloutConfig,
  opts: { gh?: RolloutApi; branch: string; release: string; env: NodeJS.ProcessEnv; applied: number },
): FlagProvider {
  const f = rollout.flag;
  if (f.provider === 'flagd-file') {
    if (!opts.gh) throw new Error('flagd-file needs the GitHub API in the action');
    return new GitHubFlagdProvider(opts.gh, f.path, f.key, opts.branch);
  }
  const token = f.token_env ? opts.env[f.token_env] : undefined;
  switch (f.provider) {
    case 'webhook':
      return new WebhookProvider(f.url, f.key, opts.release, token, opts.applied);
    case 'unleash':
      return new UnleashProvider(f.url, f.project ?? 'default', f.environment ?? 'production', f.key, token ?? '');
    case 'launchdarkly':
      return new LaunchDarklyProvider(f.url, f.project ?? 'default', f.environment ?? 'production', f.key, token ?? '');
  }
}
