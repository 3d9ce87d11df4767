// The schemas are JSON files; this module loads them for JavaScript callers.
import { readFileSync } from 'node:fs';

const load = (rel) => JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8'));

export const strategyV1Schema = load('./strategy/v1/strategy.schema.json');
export const planV1Schema = load('./plan/v1/plan.schema.json');
