import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import"./chunk-GRVJGTZ5.js";function s(e,t){let r=e.decision;return`${[`rollout: ${r.action.toUpperCase()} \u2192 ${r.percent}%${t?" (dry run: nothing written)":e.wrote?" (flag written)":""}`,`release: ${e.release}`,`flag: ${e.flag}`,`why: ${r.reason}`,`next: ${r.next}`,...r.evidence.map(a=>`  ${a.status.toUpperCase().padEnd(12)} ${a.name}: ${a.detail}`),...r.warnings.map(a=>`warning: ${a}`),...r.alert?[`alert: ${r.alert}`]:[],...e.log.map(a=>`log: ${a}`),`state: ${e.state}`].join(`
`)}
`}function o(e){return`${[`format: ${e.format}`,`samples: ${e.samples.total} total, ${e.samples.passed} passed, ${e.samples.failed} failed, ${e.samples.errors} errors, ${e.samples.skipped} skipped`,"metrics:",...Object.entries(e.metrics).map(([r,n])=>`  ${r.padEnd(28)} ${String(Number(n.value.toPrecision(4))).padStart(10)}  n=${n.n}`),...e.aggregate_only?["aggregate-only: thresholds work on these values; per-sample comparison with a baseline is not possible"]:[],...e.errors.map(r=>`error: ${r}`)].join(`
`)}
`}export{o as renderRunSummary,s as renderTick};
//# sourceMappingURL=render-NP5EQJTI.js.map
