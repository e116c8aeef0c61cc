import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
var e={pass:"\u2705",fail:"\u274C",warn:"\u26A0\uFE0F",blocked:"\u26D4"},r={pass:"\u2705",fail:"\u274C",warn:"\u26A0\uFE0F",inconclusive:"\u2754",error:"\u{1F4A5}"};function s(t){return t.slice!==void 0?`${t.name} [${t.slice}]`:t.name}export{e as a,r as b,s as c};
//# sourceMappingURL=chunk-FTTZDOMF.js.map
