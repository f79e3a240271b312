import { DeliberateFailure, ValidationFailedError } from '../common/errors';

/**
 * `X-Sandbox-Fault` (docs/idempotency.md, "Trying every failure yourself"), or a fault rule
 * (docs/console.md): lets integrators produce each failure the idempotency layer protects against.
 * Ignored in production.
 */
export type SandboxFault =
  | { kind: 'drop-response' } // commit, then close the socket without answering
  | { kind: 'fail-before-commit' } // roll everything back and answer 500
  | { kind: 'delay'; ms: number }; // hold the transaction open, so a duplicate sees the wait

export const MAX_SANDBOX_DELAY_MS = 30_000;

export const SANDBOX_FAULTS_MESSAGE = `drop-response, fail-before-commit or delay=MS (MS at most ${MAX_SANDBOX_DELAY_MS})`;

/** A fault by its name (`drop-response`, `delay=250`), or undefined for anything else. */
export function faultNamed(name: string): SandboxFault | undefined {
  if (name === 'drop-response' || name === 'fail-before-commit') return { kind: name };
  const delay = /^delay=(\d{1,5})$/.exec(name);
  if (delay && Number(delay[1]) <= MAX_SANDBOX_DELAY_MS) return { kind: 'delay', ms: Number(delay[1]) };
  return undefined;
}

export function nameOf(fault: SandboxFault): string {
  return fault.kind === 'delay' ? `delay=${fault.ms}` : fault.kind;
}

export function parseSandboxFault(header: string | string[] | undefined): SandboxFault | undefined {
  if (header === undefined) return undefined;
  const fault = faultNamed(Array.isArray(header) ? header.join(',') : header.trim());
  if (fault) return fault;
  throw new ValidationFailedError([{ field: 'X-Sandbox-Fault', errors: [`must be ${SANDBOX_FAULTS_MESSAGE}`] }], 'X-Sandbox-Fault is not valid');
}

/** The deliberate failure of `fail-before-commit`: an ordinary 500, so nothing is recorded. */
export class SandboxFailure extends DeliberateFailure {
  constructor() {
    super('sandbox fault: fail-before-commit');
  }
}

/** Thrown after the socket was destroyed for `drop-response`; there is nobody left to answer. */
export class ResponseDropped extends Error {
  constructor() {
    super('sandbox fault: drop-response');
  }
}
