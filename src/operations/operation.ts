import { DomainError } from '../common/errors';

/**
 * Stands in, in a prepared answer, for a value only the database knows when the operation runs (the
 * wallet a dialect defaults to, the balance a deposit leaves). It renders as the JSON string
 * "\u0000<name>", which the operation's function replaces with the value (`fill_decided`, migration
 * Operations); requests may not carry NUL, so no client text can look like one. Typed as the value it
 * stands for, so presenters take it as they take the value.
 */
export function decided<T>(name: string): T {
  return `\u0000${name}` as unknown as T;
}

const NO_REFUSALS: Record<string, DomainError> = {};

/**
 * A write prepared once by its route, made by one call of one PL/pgSQL function (docs/idempotency.md).
 * The route validates, prices, makes ids and timestamps, and renders every answer it can foresee;
 * the function claims the key, makes the effect, records the answer and says which one it was.
 * The caller's client is not an argument: the idempotency layer gives the authenticated one.
 */
export class Operation {
  constructor(
    /** The function a migration created, e.g. `place_order`. */
    readonly fn: string,
    /** Its own arguments, named as its parameters without the `p_` prefix. */
    readonly args: Record<string, unknown>,
    /** The success answer's body; may hold `decided(...)` placeholders. */
    readonly result: unknown,
    /** What the function may refuse with, by the name it answers (`p_refusals`): a shared constant, rendered once per dialect. */
    readonly refusals: Record<string, DomainError> = NO_REFUSALS,
    /** Told to webhook subscribers when it happens (`p_event`); may hold placeholders. */
    readonly event?: unknown,
    /** Called in this process once the call has executed it (a metric, say); the answer waits for it. */
    readonly executed: () => void | Promise<void> = () => undefined,
  ) {}

  /** The same operation answering with another body: a dialect's shape of the same resource. */
  answering(result: unknown): Operation {
    return new Operation(this.fn, this.args, result, this.refusals, this.event, this.executed);
  }

  onExecuted(executed: () => void | Promise<void>): Operation {
    return new Operation(this.fn, this.args, this.result, this.refusals, this.event, executed);
  }
}

/** What the function answered (its composite type `operation_outcome`). */
export type OutcomeKind = 'executed' | 'refused' | 'replayed' | 'reused' | 'unauthenticated' | 'in_use' | 'busy';

export interface OperationOutcome {
  outcome: OutcomeKind;
  /** refused: which refusal. */
  refusal: string | null;
  /** executed, refused, replayed: the recorded answer. */
  status: number | null;
  body: string | null;
  /** When the key was claimed (executed, refused, replayed). */
  created_at: Date | null;
  /** replayed: how long the record has left to live, as the call's `now()` saw it. */
  lifetime_ms: number | null;
}
