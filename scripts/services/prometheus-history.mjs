// Writes OpenMetrics history for the Prometheus tests: per variant, request and error counters and
// a cost gauge, sampled every minute over the last two hours (errors at 1% on both variants).
const now = Math.floor(Date.now() / 1000);
const variants = [
  ['canary', 2, 0.01, 0.0019],
  ['control', 20, 0.01, 0.0021],
];
const families = {
  llm_requests: { type: 'counter', sample: 'llm_requests_total', value: (t, [, rps]) => (t - (now - 7200)) * rps },
  llm_errors: { type: 'counter', sample: 'llm_errors_total', value: (t, [, rps, err]) => Math.round((t - (now - 7200)) * rps * err) },
  llm_cost_per_request_usd: { type: 'gauge', sample: 'llm_cost_per_request_usd', value: (_t, [, , , cost]) => cost },
};
const out = [];
for (const [name, f] of Object.entries(families)) {
  out.push(`# TYPE ${name} ${f.type}`);
  for (const v of variants) for (let t = now - 7200; t <= now - 60; t += 60) out.push(`${f.sample}{variant="${v[0]}"} ${f.value(t, v)} ${t}`);
}
out.push('# EOF');
console.log(out.join('\n'));
