/**
 * The per-symbol trading state machine of the single-symbol (entry/exit) form, as data.
 *
 *   IDLE ──WARMED──▶ LOOKING ──ENTRY_SIGNAL──▶ ENTERED ──BAR_CLOSED──▶ MANAGING ──EXIT_FILLED──▶ EXITED
 *                       ▲                        │ENTRY_CANCELED               ▲                     │
 *                       └────────────────────────┘                             │                     │
 *                       └────────────────────────────────BAR_CLOSED───────────┼─────────────────────┘
 *
 * IDLE: the rules are still warming up (NaN). LOOKING: flat, watching the entry rule.
 * ENTERED: an entry was decided; its order is working or filled on this bar. MANAGING: in a
 * position, watching exit rules and stops. EXITED: the position closed on this bar.
 */
export const SYMBOL_STATES = ['IDLE', 'LOOKING', 'ENTERED', 'MANAGING', 'EXITED'] as const;
export type SymbolStateName = (typeof SYMBOL_STATES)[number];

export const SYMBOL_EVENTS = ['WARMED', 'ENTRY_SIGNAL', 'ENTRY_FILLED', 'ENTRY_CANCELED', 'BAR_CLOSED', 'EXIT_FILLED'] as const;
export type SymbolEvent = (typeof SYMBOL_EVENTS)[number];

/** Every legal transition; anything else is a kernel bug and throws. */
export const SYMBOL_TRANSITIONS: Readonly<Record<SymbolStateName, Partial<Readonly<Record<SymbolEvent, SymbolStateName>>>>> = {
  IDLE: { WARMED: 'LOOKING', BAR_CLOSED: 'IDLE' },
  LOOKING: { ENTRY_SIGNAL: 'ENTERED', BAR_CLOSED: 'LOOKING' },
  ENTERED: { ENTRY_FILLED: 'ENTERED', ENTRY_CANCELED: 'LOOKING', BAR_CLOSED: 'MANAGING', EXIT_FILLED: 'EXITED' },
  MANAGING: { BAR_CLOSED: 'MANAGING', EXIT_FILLED: 'EXITED' },
  EXITED: { BAR_CLOSED: 'LOOKING' },
};

export const STATE_INDEX: Readonly<Record<SymbolStateName, number>> = { IDLE: 0, LOOKING: 1, ENTERED: 2, MANAGING: 3, EXITED: 4 };

export function transition(state: SymbolStateName, event: SymbolEvent): SymbolStateName {
  const next = SYMBOL_TRANSITIONS[state][event];
  if (next === undefined) throw new Error(`illegal symbol transition: ${state} --${event}-->`);
  return next;
}
