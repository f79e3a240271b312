import { CurrencyMismatchError, DomainError, InsufficientFundsError, NotFoundError } from '../common/errors';

/**
 * What a guarded debit can answer when it takes nothing (`debit_refusal`, migration Operations).
 * `wallet` names it in the message: "Wallet", or "USD wallet" when a dialect defaulted to one.
 * `currency` is what the operation needs; undefined when the wallet's own is meant.
 */
export function debitRefusals(wallet: string, currency?: string): Record<string, DomainError> {
  return {
    WALLET_NOT_FOUND: new NotFoundError(wallet),
    INSUFFICIENT_FUNDS: new InsufficientFundsError(),
    ...(currency === undefined ? {} : { CURRENCY_MISMATCH: new CurrencyMismatchError(`The wallet does not hold ${currency}, which this operation needs`) }),
  };
}
