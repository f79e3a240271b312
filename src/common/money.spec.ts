import { formatMajorUnits, isSupportedCurrency, majorToMinorUnits, minorUnitDigits, minorUnitsToJson, parseMinorUnits } from './money';

describe('money', () => {
  it('parses driver strings into exact bigints', () => {
    expect(parseMinorUnits('9007199254740991')).toBe(9007199254740991n);
    expect(parseMinorUnits('-250')).toBe(-250n);
  });

  it('refuses values past 2^53-1 instead of rounding them', () => {
    expect(() => parseMinorUnits('9007199254740992')).toThrow(RangeError);
    expect(() => minorUnitsToJson(-9007199254740992n)).toThrow(RangeError);
  });

  it('refuses anything that is not an integer', () => {
    expect(() => parseMinorUnits('1.5')).toThrow();
    expect(() => parseMinorUnits('12abc')).toThrow();
  });

  it('knows ISO-4217 codes and TRX, nothing else', () => {
    expect(['USD', 'EUR', 'JPY', 'TRX'].every(isSupportedCurrency)).toBe(true);
    expect(['usd', 'XYZ', 'BTC', '', 'XAU', 'XTS'].some(isSupportedCurrency)).toBe(false);
  });

  it('knows the minor unit of each currency', () => {
    expect([minorUnitDigits('USD'), minorUnitDigits('JPY'), minorUnitDigits('KWD'), minorUnitDigits('TRX')]).toEqual([2, 0, 3, 6]);
    // ISO-4217's minor unit, not Intl's display digits (which give HUF, IDR and COP none, and IQD none).
    expect(['HUF', 'IDR', 'COP', 'IQD', 'ISK', 'CLP'].map(minorUnitDigits)).toEqual([2, 2, 2, 3, 0, 0]);
    expect(majorToMinorUnits(100, 'HUF')).toBe(10000n);
    expect(majorToMinorUnits('1.50', 'HUF')).toBe(150n);
    expect(() => minorUnitDigits('XAU')).toThrow(/not a supported currency/);
  });

  it('writes minor units in major units with the currency’s decimals', () => {
    expect([formatMajorUnits(2500n, 'USD'), formatMajorUnits(5n, 'USD'), formatMajorUnits(500n, 'JPY'), formatMajorUnits(1234n, 'KWD'), formatMajorUnits(1n, 'TRX')]).toEqual(['25.00', '0.05', '500', '1.234', '0.000001']);
  });

  it('converts major units exactly, refusing what would need rounding', () => {
    expect(majorToMinorUnits(100, 'USD')).toBe(10000n);
    expect(majorToMinorUnits('10.5', 'USD')).toBe(1050n);
    expect(majorToMinorUnits('0.000001', 'TRX')).toBe(1n);
    expect(majorToMinorUnits(500, 'JPY')).toBe(500n);
    for (const [value, currency] of [[10.5, 'USD'], ['10.505', 'USD'], ['1.5', 'JPY'], [0, 'USD'], [-1, 'USD'], ['1e3', 'USD'], ['', 'USD']] as const) {
      expect(majorToMinorUnits(value, currency)).toBeUndefined();
    }
  });
});
