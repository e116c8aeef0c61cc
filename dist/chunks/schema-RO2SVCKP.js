import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{d as a,e as b,f as c,g as d,h as e,i as f}from"./chunk-E236IEYL.js";import"./chunk-YQSP66WA.js";import"./chunk-XGTFEPMF.js";import"./chunk-GRVJGTZ5.js";export{d as ConfigSchema,b as FORMATS,a as MetricThreshold,e as SCHEMA_URL,c as TIERS,f as configJsonSchema};
//# sourceMappingURL=schema-RO2SVCKP.js.map
