import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
process.env.RUNNER_DEBUG==="1"&&process.setSourceMapsEnabled(!0);var{run:e}=await import("./chunks/run-RP4BPL5J.js");await e();
//# sourceMappingURL=index.js.map
