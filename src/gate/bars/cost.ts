import type { Finding } from '../verdict.js';
import { fail, pass, usd, type BarContext } from './context.js';

const DAYS_PER_MONTH = 30;

/** 6 cost: the measured cost per request × traffic stays under the monthly budget. */
export function judgeCost({ config, run }: BarContext): Finding[] {
  const cost = config.cost;
  if (!cost?.monthly_budget_usd || !cost.requests_per_day)
    return [fail('no budget: set cost.requests_per_day and cost.monthly_budget_usd', 'cost')];
  if (!run || run.all.cost.n === 0)
    return [fail('the results carry no cost per sample, so the monthly cost cannot be projected', 'cost')];
  const perRequest = run.all.cost.mean;
  const monthly = perRequest * cost.requests_per_day * DAYS_PER_MONTH;
  const projection = `projected ${usd(monthly)}/month (${usd(perRequest)} × ${cost.requests_per_day} requests/day × ${DAYS_PER_MONTH})`;
  const out = [
    monthly <= cost.monthly_budget_usd
      ? pass(`${projection} within budget ${usd(cost.monthly_budget_usd)}`, 'cost.monthly_budget_usd')
      : fail(`${projection} is over budget ${usd(cost.monthly_budget_usd)}`, 'cost.monthly_budget_usd'),
  ];
  if (cost.max_cost_per_request_usd !== undefined) {
    const key = 'cost.max_cost_per_request_usd';
    out.push(
      perRequest <= cost.max_cost_per_request_usd
        ? pass(`${usd(perRequest)} per request within ${usd(cost.max_cost_per_request_usd)}`, key)
        : fail(
            `${usd(perRequest)} per request is over cost.max_cost_per_request_usd ${usd(cost.max_cost_per_request_usd)}`,
            key,
          ),
    );
  }
  return out;
}
