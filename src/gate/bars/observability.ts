import { fail, pass, type BarContext } from './context.js';
import type { Finding } from '../verdict.js';

/** 4 observability: a tracing backend; trace ids on the results where required. */
export function judgeObservability({ config, run }: BarContext): Finding[] {
  const obs = config.observability;
  const out = [
    obs?.tracing
      ? pass(`tracing: ${obs.tracing}`, 'observability.tracing')
      : fail('no tracing backend: set observability.tracing (e.g. langfuse, langsmith, otel)', 'observability'),
  ];
  if (obs?.require_trace_ids && run) {
    const t = run.all;
    const key = 'observability.require_trace_ids';
    out.push(
      t.withTraceId === t.scored
        ? pass(`every scored sample carries a trace id (${t.withTraceId})`, key)
        : fail(
            `${t.scored - t.withTraceId} of ${t.scored} scored samples carry no trace id (observability.require_trace_ids)`,
            key,
          ),
    );
  }
  return out;
}
