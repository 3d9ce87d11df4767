import fc from 'fast-check';
import { SYMBOL_EVENTS, SYMBOL_STATES, SYMBOL_TRANSITIONS, transition, type SymbolEvent, type SymbolStateName } from '@strata/kernel';
import { describe, expect, it } from 'vitest';

/**
 * The per-symbol state machine (docs/backtest-semantics.md, "Entries, exits and stops"):
 * IDLE → LOOKING → ENTERED → MANAGING → EXITED → LOOKING, as data.
 */

/** The table as documented, written out independently of the source. */
const EXPECTED: Readonly<Record<SymbolStateName, Partial<Record<SymbolEvent, SymbolStateName>>>> = {
  IDLE: { WARMED: 'LOOKING', BAR_CLOSED: 'IDLE' },
  LOOKING: { ENTRY_SIGNAL: 'ENTERED', BAR_CLOSED: 'LOOKING' },
  ENTERED: { ENTRY_FILLED: 'ENTERED', ENTRY_CANCELED: 'LOOKING', BAR_CLOSED: 'MANAGING', EXIT_FILLED: 'EXITED' },
  MANAGING: { BAR_CLOSED: 'MANAGING', EXIT_FILLED: 'EXITED' },
  EXITED: { BAR_CLOSED: 'LOOKING' },
};

describe('SYMBOL_TRANSITIONS', () => {
  it('has exactly the five states and six events', () => {
    expect([...SYMBOL_STATES]).toEqual(['IDLE', 'LOOKING', 'ENTERED', 'MANAGING', 'EXITED']);
    expect([...SYMBOL_EVENTS]).toEqual(['WARMED', 'ENTRY_SIGNAL', 'ENTRY_FILLED', 'ENTRY_CANCELED', 'BAR_CLOSED', 'EXIT_FILLED']);
    expect(Object.keys(SYMBOL_TRANSITIONS).sort()).toEqual([...SYMBOL_STATES].sort());
  });

  it('is the documented table', () => {
    expect(SYMBOL_TRANSITIONS).toEqual(EXPECTED);
  });

  it('every target is a state, every key an event', () => {
    for (const s of SYMBOL_STATES) {
      for (const [e, to] of Object.entries(SYMBOL_TRANSITIONS[s])) {
        expect(SYMBOL_EVENTS).toContain(e);
        expect(SYMBOL_STATES).toContain(to);
      }
    }
  });

  // Exhaustive: every state × every event.
  const cells = SYMBOL_STATES.flatMap((s) => SYMBOL_EVENTS.map((e) => [s, e, EXPECTED[s][e] ?? null] as const));
  it.each(cells)('%s --%s--> %s', (state, event, to) => {
    if (to === null) {
      expect(() => transition(state, event)).toThrow(/illegal symbol transition/);
      expect(() => transition(state, event)).toThrow(new RegExp(`${state} --${event}-->`));
    } else {
      expect(transition(state, event)).toBe(to);
    }
  });

  it('every state is reachable from IDLE, and a round trip returns to LOOKING', () => {
    const seen = new Set<SymbolStateName>(['IDLE']);
    const queue: SymbolStateName[] = ['IDLE'];
    while (queue.length > 0) {
      const s = queue.shift()!;
      for (const to of Object.values(SYMBOL_TRANSITIONS[s])) {
        if (to !== undefined && !seen.has(to)) {
          seen.add(to);
          queue.push(to);
        }
      }
    }
    expect([...seen].sort()).toEqual([...SYMBOL_STATES].sort());
    const path: SymbolEvent[] = ['WARMED', 'ENTRY_SIGNAL', 'ENTRY_FILLED', 'BAR_CLOSED', 'BAR_CLOSED', 'EXIT_FILLED', 'BAR_CLOSED'];
    expect(path.reduce<SymbolStateName>((s, e) => transition(s, e), 'IDLE')).toBe('LOOKING');
  });

  it('no state is a dead end: each has BAR_CLOSED', () => {
    for (const s of SYMBOL_STATES) expect(SYMBOL_TRANSITIONS[s].BAR_CLOSED).toBeDefined();
  });
});

describe('transition: random event sequences', () => {
  it('never reaches a state outside SYMBOL_STATES; illegal events throw and leave the state unchanged', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...SYMBOL_EVENTS), { maxLength: 200 }), (events) => {
        let s: SymbolStateName = 'IDLE';
        for (const e of events) {
          const legal = SYMBOL_TRANSITIONS[s][e];
          if (legal === undefined) {
            expect(() => transition(s, e)).toThrow();
            continue;
          }
          const next = transition(s, e);
          expect(next).toBe(legal);
          expect(SYMBOL_STATES).toContain(next);
          s = next;
        }
        expect(SYMBOL_STATES).toContain(s);
      }),
      { numRuns: 500, seed: 0x57a7e },
    );
  });

  it('only legal sequences: every prefix is in a state from the table', () => {
    // Walk only legal events (chosen by index among the current state's events).
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 300 }), (choices) => {
        let s: SymbolStateName = 'IDLE';
        const visited = new Set<SymbolStateName>([s]);
        for (const k of choices) {
          const legal = Object.keys(SYMBOL_TRANSITIONS[s]) as SymbolEvent[];
          s = transition(s, legal[k % legal.length]!);
          expect(SYMBOL_STATES).toContain(s);
          visited.add(s);
        }
        // LOOKING is entered only from IDLE (WARMED), ENTERED (ENTRY_CANCELED) or EXITED (BAR_CLOSED): never back to IDLE.
        if (visited.has('LOOKING')) expect(s).not.toBe('IDLE');
      }),
      { numRuns: 300, seed: 0x57a7f },
    );
  });
});
