import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{c as a,d as b}from"./chunk-P6LV6PDI.js";import"./chunk-BJ6IGHDH.js";import"./chunk-QGSZ7WQJ.js";import"./chunk-KDHHAJSM.js";import"./chunk-YUEMFSZA.js";import"./chunk-ARRMUXSE.js";import"./chunk-YQSP66WA.js";import"./chunk-OAMP2XNE.js";import"./chunk-BYVLV2J7.js";import"./chunk-7DDTYJMK.js";import"./chunk-FTJL2TAL.js";export{a as loadConfigFile,b as runGate};
//# sourceMappingURL=run-gate-FVOPGOKA.js.map
