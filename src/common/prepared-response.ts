/**
 * A response whose bytes are already decided (a recorded idempotent outcome).
 * Thrown for error statuses so it bypasses Nest's default status; the exception filter sends it verbatim.
 */
export class PreparedResponse extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly headers: Record<string, string>,
  ) {
    super(`prepared response ${status}`);
  }
}
