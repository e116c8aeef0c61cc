import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{c as a,d as b}from"./chunk-PGZ3FJLR.js";import"./chunk-IZ3PPZ57.js";import"./chunk-QGSZ7WQJ.js";import"./chunk-KDHHAJSM.js";import"./chunk-YUEMFSZA.js";import"./chunk-FCI32ZGX.js";import"./chunk-YQSP66WA.js";import"./chunk-KIRCDGBU.js";import"./chunk-BYVLV2J7.js";import"./chunk-F2BZ46KH.js";import"./chunk-FTJL2TAL.js";export{a as loadConfigFile,b as runGate};
//# sourceMappingURL=run-gate-XHF33NGF.js.map
