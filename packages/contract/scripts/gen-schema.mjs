// Writes schemas/order/v1/order.schema.json from the TypeBox source (packages/contract/src/messages.ts).
// `--check` exits 1 when the committed file differs. Run after `npx tsc -b` in packages/contract.
import { readFileSync, writeFileSync } from 'node:fs';
import { orderJsonSchema } from '../dist/index.js';

const target = new URL('../../../schemas/order/v1/order.schema.json', import.meta.url);
const text = JSON.stringify(orderJsonSchema(), null, 2) + '\n';
if (process.argv.includes('--check')) {
  let current = '';
  try {
    current = readFileSync(target, 'utf8');
  } catch {}
  if (current !== text) {
    console.error('schemas/order/v1/order.schema.json is out of date: run node packages/contract/scripts/gen-schema.mjs');
    process.exit(1);
  }
} else {
  writeFileSync(target, text);
  console.log(`wrote ${target.pathname}`);
}
