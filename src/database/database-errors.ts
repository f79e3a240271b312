import { QueryFailedError } from 'typeorm';

function hasSqlState(error: unknown, code: string): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === code;
}

/** SQLSTATE 55P03 lock_not_available: a lock wait passed the transaction's lock_timeout. */
export function isLockTimeout(error: unknown): boolean {
  return hasSqlState(error, '55P03');
}

/** SQLSTATE LL001, raised by `effect_refused()` (migration EffectRefusal): a one-statement effect undid itself. */
export function isEffectRefused(error: unknown): boolean {
  return hasSqlState(error, 'LL001');
}
