import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as a,c as b,d as c}from"./chunk-47G3CWHC.js";import"./chunk-BYVLV2J7.js";import"./chunk-XGTFEPMF.js";import"./chunk-GRVJGTZ5.js";export{a as ADAPTERS,c as loadRun,b as resolveResultFiles};
//# sourceMappingURL=load-HFD7V4HY.js.map
