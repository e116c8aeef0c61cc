import { fail, pass, type BarContext } from './context.js';
import type { Finding } from '../verdict.js';

/** 1 target: a written pass bar, a risk tier, and the cost of a bad output. */
export function judgeTarget({ config }: BarContext): Finding[] {
  const evals = config.evals;
  const passBar = (evals?.metrics.length ?? 0) + (evals?.slices.length ?? 0);
  return [
    passBar > 0
      ? pass(
          `pass bar written: ${evals!.metrics.map((m) => m.name).join(', ') || 'slice thresholds only'}`,
          'evals.metrics',
        )
      : fail('no pass bar: add thresholds under evals.metrics (e.g. { name: pass_rate, min: 0.9 })', 'evals'),
    config.risk?.tier
      ? pass(`risk tier ${config.risk.tier}`, 'risk.tier')
      : fail('risk.tier is not set (judged as high, every bar blocking): set low, medium, high or critical', 'risk'),
    config.risk?.bad_output_cost
      ? pass(`cost of a bad output: ${config.risk.bad_output_cost}`, 'risk.bad_output_cost')
      : fail('risk.bad_output_cost is not written: say what one wrong output costs', 'risk'),
  ];
}
