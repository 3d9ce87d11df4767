import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import canonicalizeModule from 'canonicalize';
import { compileFastCheck, type FastCheck } from './fast-validate.js';
import { MESSAGES, ORDER_SCHEMA, type Message, type MessageType } from './messages.js';

/** The contract's one error class; `code` is a closed set. */
export const CONTRACT_ERROR_CODES = ['malformed_json', 'unsupported_version', 'invalid_message'] as const;
export type ContractErrorCode = (typeof CONTRACT_ERROR_CODES)[number];

export class ContractError extends Error {
  override readonly name = 'ContractError';
  constructor(
    readonly code: ContractErrorCode,
    message: string,
    /** One line per problem, e.g. `/qty must be > 0`. */
    readonly problems: readonly string[] = [],
    options?: { cause?: unknown },
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message, options);
  }
}

/** RFC 8785 canonical JSON (the package is CommonJS; its typings call it a default export). */
const canonicalJson = canonicalizeModule as unknown as (input: unknown) => string | undefined;

let validators: Map<string, ValidateFunction> | undefined;

/** One compiled validator per message type, built once per process (the boundary check). */
function validatorFor(type: string): ValidateFunction | undefined {
  if (!validators) {
    const ajv = new Ajv({ allErrors: true, strict: true });
    validators = new Map();
    for (const [name, schema] of Object.entries(MESSAGES)) {
      const { $id: _id, ...clean } = JSON.parse(JSON.stringify(schema)) as Record<string, unknown>;
      validators.set(name, ajv.compile(clean));
    }
  }
  return validators.get(type);
}

/** One fast accept-only check per message type (see fast-validate.ts), compiled when the module loads. */
const fastChecks = new Map<string, FastCheck>(Object.entries(MESSAGES).map(([name, schema]) => [name, compileFastCheck(schema)]));

/** For tests: the fast check and the ajv validator of one message type, to hold them to the same verdict. */
export function validatorsOf(type: MessageType): { readonly fast: FastCheck; readonly ajv: (value: unknown) => boolean } {
  return { fast: fastChecks.get(type)!, ajv: (value) => validatorFor(type)!(value) };
}

function describe(e: ErrorObject): string {
  const at = e.instancePath || '/';
  if (e.keyword === 'additionalProperties') return `${at} has an unknown field \`${String((e.params as { additionalProperty: string }).additionalProperty)}\``;
  if (e.keyword === 'required') return `${at} is missing \`${String((e.params as { missingProperty: string }).missingProperty)}\``;
  return `${at} ${e.message ?? 'is invalid'}`;
}

/**
 * Checks a value against contract v1 and returns it typed. Rejects, with a ContractError that
 * says what and where: another major version (`order/v2`), an unknown type, schema violations,
 * and the rules a schema cannot state (a limit order needs a limit price, `gtd` needs `expireAt`,
 * an amend must change something).
 */
export function validateMessage(value: unknown): Message {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new ContractError('invalid_message', 'a message must be a JSON object');
  const v = value as Record<string, unknown>;
  const schema = v.schema;
  if (schema !== ORDER_SCHEMA) {
    const m = typeof schema === 'string' ? /^order\/v(\d+)$/.exec(schema) : null;
    if (m && m[1] !== '1') throw new ContractError('unsupported_version', `message schema ${schema} is not supported: this build speaks ${ORDER_SCHEMA} only; upgrade the receiver or send ${ORDER_SCHEMA}`);
    throw new ContractError('invalid_message', `\`schema\` must be "${ORDER_SCHEMA}", got ${JSON.stringify(schema)}`);
  }
  const type = v.type;
  // Hot path: the accept-only check compiled from the same schemas; ajv runs only to explain a failure.
  const fast = typeof type === 'string' ? fastChecks.get(type) : undefined;
  if (fast !== undefined && fast(value)) {
    const problems = semanticProblems(value as Message);
    if (problems !== undefined) throw new ContractError('invalid_message', `invalid ${type}`, problems);
    return value as Message;
  }
  const validate = typeof type === 'string' ? validatorFor(type) : undefined;
  if (!validate) throw new ContractError('invalid_message', `unknown message type ${JSON.stringify(type)}; known: ${Object.keys(MESSAGES).join(', ')}`);
  if (!validate(value)) throw new ContractError('invalid_message', `invalid ${String(type)}`, (validate.errors ?? []).map(describe));
  const problems = semanticProblems(value as Message);
  if (problems !== undefined) throw new ContractError('invalid_message', `invalid ${String(type)}`, problems);
  return value as Message;
}

/** The fields each order type needs (hoisted: validateMessage is on the order kernel's hot path). */
const NEEDS = { market: [], limit: ['limitPrice'], stop: ['stopPrice'], stop_limit: ['limitPrice', 'stopPrice'], trailing_stop: ['trailingOffsetBps'] } as const;
const AMENDABLE_FIELDS = ['qty', 'limitPrice', 'stopPrice', 'urgency', 'timeInForce', 'expireAt'] as const;

/** The rules a schema cannot state; undefined when there is no problem (no allocation on the happy path). */
function semanticProblems(m: Message): string[] | undefined {
  let out: string[] | undefined;
  const add = (p: string): void => {
    (out ??= []).push(p);
  };
  if (m.type === 'SubmitOrder') {
    for (const f of NEEDS[m.orderType]) if (m[f] === undefined) add(`/ a ${m.orderType} order needs \`${f}\``);
    if (m.orderType === 'market' && (m.limitPrice !== undefined || m.stopPrice !== undefined)) add('/ a market order takes no limitPrice or stopPrice');
    if (m.orderType !== 'trailing_stop' && m.trailingOffsetBps !== undefined) add('/ trailingOffsetBps is only for trailing_stop orders');
    if ((m.timeInForce === 'gtd') !== (m.expireAt !== undefined)) add(m.timeInForce === 'gtd' ? '/ a gtd order needs `expireAt`' : '/ `expireAt` is only for gtd orders');
    if (m.expireAt !== undefined && m.expireAt <= m.tsEvent) add('/expireAt must be after tsEvent');
  } else if (m.type === 'AmendOrder' || m.type === 'OrderAmended') {
    let changes = false;
    for (const f of AMENDABLE_FIELDS) if (m[f] !== undefined) changes = true;
    if (!changes) add(`/ ${m.type} must change at least one of ${AMENDABLE_FIELDS.join(', ')}`);
  } else if (m.type === 'OrderFilled' && m.cumQty < m.qty) add("/cumQty cannot be below this fill's qty");
  return out;
}

/** Canonical encoding (RFC 8785 JSON): the same message always gives the same bytes. Validates first. */
export function encodeMessage(m: Message): string {
  validateMessage(m);
  return canonicalJson(m)!;
}

/** Parses and validates one encoded message. */
export function decodeMessage(text: string): Message {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new ContractError('malformed_json', `not JSON: ${(e as Error).message}`, [], { cause: e });
  }
  return validateMessage(value);
}

export type { MessageType };
