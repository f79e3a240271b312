import { CurrencyMismatchError, DomainError, InsufficientFundsError, NotFoundError } from '../common/errors';

/** One set per wallet label and currency, made once: refusals are rendered once per set (prepare-call.ts). */
const made = new Map<string, Record<string, DomainError>>();

/**
 * What a guarded debit can answer when it takes nothing (`debit_refusal`, migration Operations).
 * `wallet` names it in the message: "Wallet", or "USD wallet" when a dialect defaulted to one.
 * `currency` is what the operation needs; undefined when the wallet's own is meant.
 */
export function debitRefusals(wallet: string, currency?: string): Record<string, DomainError> {
  const key = `${wallet}\n${currency ?? ''}`;
  let refusals = made.get(key);
  if (!refusals) {
    refusals = {
      WALLET_NOT_FOUND: new NotFoundError(wallet),
      INSUFFICIENT_FUNDS: new InsufficientFundsError(),
      ...(currency === undefined ? {} : { CURRENCY_MISMATCH: new CurrencyMismatchError(`The wallet does not hold ${currency}, which this operation needs`) }),
    };
    made.set(key, refusals);
  }
  return refusals;
}
