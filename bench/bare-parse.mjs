// The baseline for whole-document formats: the least a reader can do, readFileSync + JSON.parse.
import { readFileSync } from 'node:fs';

const doc = JSON.parse(readFileSync(process.argv[2], 'utf8'));
console.log(`parsed ${Object.keys(doc).length} keys`);
