import { code as isoCurrency } from 'currency-codes';

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

/**
 * Each currency's digits after the decimal point, from ISO-4217's own list (the currency-codes package),
 * for the codes this Node build also knows as currencies (which leaves out gold, funds and test codes),
 * plus TRX (Tron: 1 TRX = 10^6 sun), the one non-ISO code. Intl's own digits are display data, not
 * ISO's: it gives HUF, IDR or COP none where ISO-4217 has two.
 */
const MINOR_UNIT_DIGITS = new Map<string, number>([
  ...Intl.supportedValuesOf('currency').flatMap((code): Array<[string, number]> => {
    const iso = isoCurrency(code);
    return iso ? [[code, iso.digits]] : [];
  }),
  ['TRX', 6],
]);

export function isSupportedCurrency(code: string): boolean {
  return MINOR_UNIT_DIGITS.has(code);
}

export function minorUnitDigits(currency: string): number {
  const digits = MINOR_UNIT_DIGITS.get(currency);
  if (digits === undefined) throw new RangeError(`${currency} is not a supported currency`);
  return digits;
}

/** Minor units written in major units, as many decimals as the currency has: 2500 USD is `25.00`. */
export function formatMajorUnits(units: bigint, currency: string): string {
  const digits = minorUnitDigits(currency);
  if (digits === 0) return units.toString();
  const text = units.toString().padStart(digits + 1, '0');
  return `${text.slice(0, -digits)}.${text.slice(-digits)}`;
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
