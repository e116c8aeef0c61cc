import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a}from"./chunk-BI353T54.js";import"./chunk-GRVJGTZ5.js";export default a();
//# sourceMappingURL=dist-4767A2VW.js.map
