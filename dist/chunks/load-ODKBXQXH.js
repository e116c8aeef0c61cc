import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{b as a,c as b,d as c}from"./chunk-O4GYSUJJ.js";import"./chunk-BYVLV2J7.js";import"./chunk-XGTFEPMF.js";import"./chunk-FTJL2TAL.js";export{a as ADAPTERS,c as loadRun,b as resolveResultFiles};
//# sourceMappingURL=load-ODKBXQXH.js.map
