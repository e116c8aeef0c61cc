import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);
import{a as r,b as i}from"./chunk-GRVJGTZ5.js";var o=i((p,e)=>{e.exports=r("fs")});export{o as a};
//# sourceMappingURL=chunk-4I4JU3R3.js.map
