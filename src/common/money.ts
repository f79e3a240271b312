/** Largest amount or balance, in minor units: 2^53-1, so every value is exact as a JSON number. */
export const MAX_MINOR_UNITS = 9007199254740991n;

/**
 * Money is a bigint count of minor units inside the service. PostgreSQL's bigint arrives as a
 * string; it is converted here, once, and refused if it does not fit the contract's range.
 */
export function parseMinorUnits(value: string | number | bigint): bigint {
  const units = BigInt(value);
  if (units > MAX_MINOR_UNITS || units < -MAX_MINOR_UNITS) {
    throw new RangeError(`amount ${units} is outside the safe range of minor units`);
  }
  return units;
}

/** The JSON edge: safe by construction (CHECK constraints bound every stored amount). */
export function minorUnitsToJson(units: bigint): number {
  return Number(parseMinorUnits(units));
}

/** ISO-4217 codes known to this Node build, plus TRX (Tron, minor unit the sun), the one non-ISO code. */
const CURRENCIES = new Set([...Intl.supportedValuesOf('currency'), 'TRX']);

export function isSupportedCurrency(code: string): boolean {
  return CURRENCIES.has(code);
}

/** Digits after the decimal point: ISO-4217's minor unit, and 6 for TRX (1 TRX = 10^6 sun). */
export function minorUnitDigits(currency: string): number {
  if (currency === 'TRX') return 6;
  return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/**
 * Major units (`100` = USD 100.00, or the decimal string `"10.50"`) to minor units, with string
 * arithmetic only: a value with more decimals than the currency has is refused, never rounded.
 */
export function majorToMinorUnits(value: number | string, currency: string): bigint | undefined {
  const digits = minorUnitDigits(currency);
  const text = typeof value === 'number' ? (Number.isSafeInteger(value) ? String(value) : '') : value;
  const match = /^(\d{1,16})(?:\.(\d+))?$/.exec(text);
  if (!match || (match[2]?.length ?? 0) > digits) return undefined;
  const units = BigInt(match[1] + (match[2] ?? '').padEnd(digits, '0'));
  return units > 0n && units <= MAX_MINOR_UNITS ? units : undefined;
}
