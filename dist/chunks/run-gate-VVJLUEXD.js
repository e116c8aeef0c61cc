import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{c as a,d as b}from"./chunk-QWZ2WNVI.js";import"./chunk-AU5SZYO6.js";import"./chunk-QGSZ7WQJ.js";import"./chunk-KDHHAJSM.js";import"./chunk-QQWBRAHQ.js";import"./chunk-E236IEYL.js";import"./chunk-YQSP66WA.js";import"./chunk-47G3CWHC.js";import"./chunk-BYVLV2J7.js";import"./chunk-XGTFEPMF.js";import"./chunk-GRVJGTZ5.js";export{a as loadConfigFile,b as runGate};
//# sourceMappingURL=run-gate-VVJLUEXD.js.map
