import { ContractError, MESSAGES, validateMessage, type SubmitOrder } from '@strata/contract';
import type { ControlInput, KernelInput } from './types.js';

/** Control input types (everything a KernelInput can be besides an order/v1 message). */
export const CONTROL_INPUT_TYPES = ['MarketUpdate', 'Clock', 'KillSwitch', 'StartAlgo', 'Requote'] as const;

const CONTRACT_TYPES = new Set<unknown>(Object.keys(MESSAGES));
const ID = /^[A-Za-z0-9._:/-]{1,96}$/;
const SYMBOL = /^[A-Z0-9][A-Z0-9._:/-]{0,31}$/;

const FIELDS: Readonly<Record<ControlInput['type'], { readonly required: readonly string[]; readonly optional: readonly string[] }>> = {
  MarketUpdate: { required: ['type', 'tsEvent', 'symbol'], optional: ['last', 'bid', 'ask'] },
  Clock: { required: ['type', 'tsEvent'], optional: [] },
  KillSwitch: { required: ['type', 'tsEvent', 'engaged', 'cancelAll', 'reason'], optional: [] },
  StartAlgo: { required: ['type', 'tsEvent', 'parentId', 'algo', 'child', 'slices', 'everyMs'], optional: ['profile', 'lotSize'] },
  Requote: { required: ['type', 'tsEvent', 'clientOrderId', 'everyMs', 'offsetBps'], optional: [] },
};

/**
 * Checks one kernel input at the boundary and returns it typed. order/v1 messages go through the
 * contract's compiled validators; control inputs through the hand checks below. Anything wrong
 * throws ContractError (`invalid_message`, or `unsupported_version` from the contract) listing
 * every problem — the caller's bug, so nothing of it is applied.
 */
export function checkInput(input: unknown): KernelInput {
  if (input === null || typeof input !== 'object' || Array.isArray(input)) throw new ContractError('invalid_message', 'a kernel input must be an object');
  const v = input as Record<string, unknown>;
  if (v.schema !== undefined || CONTRACT_TYPES.has(v.type)) return validateMessage(input);
  const type = v.type;
  if (typeof type !== 'string' || !(CONTROL_INPUT_TYPES as readonly string[]).includes(type)) {
    throw new ContractError('invalid_message', `unknown kernel input type ${JSON.stringify(type)}; known: order/v1 messages (${Object.keys(MESSAGES).join(', ')}) and ${CONTROL_INPUT_TYPES.join(', ')}`);
  }
  if (type === 'MarketUpdate' && marketUpdateOk(v)) return input as ControlInput; // the hot control input, checked without allocating
  const problems = controlProblems(type as ControlInput['type'], v);
  if (problems.length > 0) throw new ContractError('invalid_message', `invalid ${type}`, problems);
  return input as ControlInput;
}

const pos = (x: unknown): boolean => typeof x === 'number' && x > 0 && x !== Number.POSITIVE_INFINITY;

/** True exactly when controlProblems would find nothing in a MarketUpdate (a test holds them together). */
export function marketUpdateOk(v: Record<string, unknown>): boolean {
  for (const k in v) {
    switch (k) {
      case 'type':
      case 'tsEvent':
      case 'symbol':
      case 'last':
      case 'bid':
      case 'ask':
        continue;
      default:
        return false;
    }
  }
  const { tsEvent, symbol, last, bid, ask } = v;
  if (!(Number.isSafeInteger(tsEvent) && (tsEvent as number) >= 0) || typeof symbol !== 'string' || !SYMBOL.test(symbol)) return false;
  if (last === undefined && bid === undefined && ask === undefined) return false;
  if ((last !== undefined && !pos(last)) || (bid !== undefined && !pos(bid)) || (ask !== undefined && !pos(ask))) return false;
  return !(bid !== undefined && ask !== undefined && (bid as number) > (ask as number));
}

export function controlProblems(type: ControlInput['type'], v: Record<string, unknown>): string[] {
  const out: string[] = [];
  const spec = FIELDS[type];
  for (const k of spec.required) if (v[k] === undefined) out.push(`/ is missing \`${k}\``);
  for (const k of Object.keys(v)) if (!spec.required.includes(k) && !spec.optional.includes(k)) out.push(`/ has an unknown field \`${k}\``);
  if (v.tsEvent !== undefined && !(Number.isSafeInteger(v.tsEvent) && (v.tsEvent as number) >= 0)) out.push('/tsEvent must be an integer ≥ 0 (ms since the epoch, UTC)');
  const positive = (k: string): void => {
    if (v[k] !== undefined && !(typeof v[k] === 'number' && Number.isFinite(v[k]) && v[k] > 0)) out.push(`/${k} must be a finite number > 0`);
  };
  const posInt = (k: string): void => {
    if (v[k] !== undefined && !(Number.isSafeInteger(v[k]) && (v[k] as number) > 0)) out.push(`/${k} must be an integer > 0`);
  };
  switch (type) {
    case 'MarketUpdate':
      if (v.symbol !== undefined && !(typeof v.symbol === 'string' && SYMBOL.test(v.symbol))) out.push(`/symbol must match ${SYMBOL.source}`);
      positive('last');
      positive('bid');
      positive('ask');
      if (v.last === undefined && v.bid === undefined && v.ask === undefined) out.push('/ a MarketUpdate needs at least one of last, bid, ask');
      if (typeof v.bid === 'number' && typeof v.ask === 'number' && v.bid > v.ask) out.push(`/ bid ${v.bid} is above ask ${v.ask} (crossed quote)`);
      break;
    case 'Clock':
      break;
    case 'KillSwitch':
      if (v.engaged !== undefined && typeof v.engaged !== 'boolean') out.push('/engaged must be a boolean');
      if (v.cancelAll !== undefined && typeof v.cancelAll !== 'boolean') out.push('/cancelAll must be a boolean');
      if (v.reason !== undefined && !(typeof v.reason === 'string' && v.reason.length <= 200)) out.push('/reason must be a string of at most 200 characters');
      break;
    case 'Requote':
      if (v.clientOrderId !== undefined && !(typeof v.clientOrderId === 'string' && ID.test(v.clientOrderId))) out.push(`/clientOrderId must match ${ID.source}`);
      posInt('everyMs');
      if (v.offsetBps !== undefined && !(typeof v.offsetBps === 'number' && Number.isFinite(v.offsetBps) && v.offsetBps >= 0 && v.offsetBps <= 10_000)) out.push('/offsetBps must be a number in [0, 10000]');
      break;
    case 'StartAlgo': {
      if (v.algo !== undefined && v.algo !== 'twap' && v.algo !== 'vwap') out.push('/algo must be "twap" or "vwap"');
      posInt('slices');
      posInt('everyMs');
      positive('lotSize');
      const slices = v.slices as number;
      if (v.parentId !== undefined) {
        if (typeof v.parentId !== 'string' || !ID.test(v.parentId)) out.push(`/parentId must match ${ID.source}`);
        else if (Number.isSafeInteger(slices) && !ID.test(`${v.parentId}/${slices}`)) out.push(`/parentId is too long: child ids \`${v.parentId}/1..${slices}\` must match ${ID.source}`);
      }
      if (v.profile !== undefined) {
        const p = v.profile;
        if (!Array.isArray(p) || !p.every((w) => typeof w === 'number' && Number.isFinite(w) && w >= 0)) out.push('/profile must be an array of finite weights ≥ 0');
        else if (p.length !== slices) out.push(`/profile has ${p.length} weights for ${String(slices)} slices`);
        else if (!p.some((w: number) => w > 0)) out.push('/profile needs at least one weight > 0');
      } else if (v.algo === 'vwap') out.push('/ a vwap algo needs a `profile` (one volume weight per slice)');
      if (v.child !== undefined) {
        let child: SubmitOrder | undefined;
        try {
          const m = validateMessage(v.child);
          if (m.type !== 'SubmitOrder') out.push(`/child must be a SubmitOrder, got ${m.type}`);
          else child = m;
        } catch (e) {
          if (!(e instanceof ContractError)) throw e;
          out.push(...(e.problems.length > 0 ? e.problems.map((p) => `/child${p.startsWith('/') ? p : `/ ${p}`}`) : [`/child ${e.message}`]));
        }
        if (child?.timeInForce === 'gtd') out.push('/child/timeInForce gtd is not supported for algo slices (each slice is sent at its own time): use day, gtc, ioc or fok');
      }
      break;
    }
  }
  return out;
}
