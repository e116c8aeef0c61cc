// Writes docs/config.md from the schema (npm run docs); a unit test fails when it is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { parse } from 'yaml';
import { renderConfigReference } from '../src/config/reference.js';

const example: unknown = parse(readFileSync('examples/llm-release-gate.yml', 'utf8'));
writeFileSync('docs/config.md', renderConfigReference(example));
console.log('wrote docs/config.md');
