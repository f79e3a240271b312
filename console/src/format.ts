/** Decimals of each currency's minor unit (ISO 4217; TRX counts sun). */
const MINOR_DIGITS: Record<string, number> = { JPY: 0, KRW: 0, TRX: 6, BHD: 3, KWD: 3 };

/** Minor units as a decimal amount, without floating point. */
export function money(minor: number, currency: string): string {
  const digits = MINOR_DIGITS[currency] ?? 2;
  const sign = minor < 0 ? '−' : '';
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  const whole = units.slice(0, units.length - digits).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${sign}${whole}${digits ? `.${units.slice(-digits)}` : ''} ${currency}`;
}

export function time(iso: string): string {
  const at = new Date(iso);
  return `${at.toLocaleDateString()} ${at.toLocaleTimeString(undefined, { hour12: false })}.${String(at.getMilliseconds()).padStart(3, '0')}`;
}

export function pretty(body: string | null): string {
  if (body === null) return '—';
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}
