import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{c as a,d as b}from"./chunk-7EXCDPJ2.js";import"./chunk-AU5SZYO6.js";import"./chunk-QGSZ7WQJ.js";import"./chunk-KDHHAJSM.js";import"./chunk-YUEMFSZA.js";import"./chunk-FVYQ3ZTG.js";import"./chunk-YQSP66WA.js";import"./chunk-O4GYSUJJ.js";import"./chunk-BYVLV2J7.js";import"./chunk-XGTFEPMF.js";import"./chunk-FTJL2TAL.js";export{a as loadConfigFile,b as runGate};
//# sourceMappingURL=run-gate-364PYEBQ.js.map
