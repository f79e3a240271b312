import { QueryFailedError } from 'typeorm';

/** SQLSTATE 55P03 lock_not_available: a lock wait passed the transaction's lock_timeout. */
export function isLockTimeout(error: unknown): boolean {
  return error instanceof QueryFailedError && (error.driverError as { code?: string }).code === '55P03';
}
