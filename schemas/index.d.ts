/** JSON Schema (draft-07) of the strategy artifact, `strata: strategy/v1`. */
export declare const strategyV1Schema: Readonly<Record<string, unknown>>;
/** JSON Schema (draft-07) of the compiled plan, `strata: plan/v1`. */
export declare const planV1Schema: Readonly<Record<string, unknown>>;
