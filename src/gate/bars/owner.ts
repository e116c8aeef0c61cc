import type { Finding } from '../verdict.js';
import { fail, pass, unknownFact, type BarContext } from './context.js';

/** 7 owner: one named person, confirmed a person through the API when it can be asked, with an on-call route. */
export function judgeOwner({ config, facts }: BarContext): Finding[] {
  const owner = config.owner;
  if (!owner) return [fail('no owner: set owner.name to one person (a GitHub login) and owner.oncall', 'owner')];
  const shape = ownerShape(owner.name);
  const kind = facts.github?.ownerKind;
  const login = owner.name.replace(/^@/, '');
  const key = 'owner.name';
  const why = facts.github?.unanswered?.ownerKind;
  return [
    shape.status !== 'fail' && why
      ? unknownFact(`that owner.name @${login} is a person`, why, key)
      : shape.status === 'fail' || kind === undefined
        ? shape
        : kind === 'User'
          ? pass(`owner @${login}, a person (confirmed through the GitHub API)`, key)
          : kind === 'Organization'
            ? fail(`owner.name @${login} is an organisation: name one person`, key)
            : fail(`owner.name @${login} is not a GitHub account: check the spelling`, key),
    owner.oncall
      ? pass(`on-call: ${owner.oncall}`, 'owner.oncall')
      : fail('owner.oncall is not set: say where incidents go', 'owner'),
  ];
}

const LOGIN = /^@?[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;

/** Is this one GitHub login (a person), rather than a team (`@org/team`) or free text? */
export function ownerShape(name: string): Finding {
  const n = name.trim();
  const key = 'owner.name';
  if (n.includes('/')) return fail(`owner.name "${n}" is a team: name one person (a GitHub login such as @alice)`, key);
  if (!LOGIN.test(n))
    return fail(`owner.name "${n}" is not a GitHub login: write one person's login, such as @alice`, key);
  return pass(
    `owner ${n.startsWith('@') ? n : `@${n}`} (judged from the config: one login, not a team; not confirmed against the GitHub API)`,
    key,
  );
}
