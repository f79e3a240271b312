import { DomainError } from '../common/errors';
import { errorStatusIn, ResponseDialect } from '../common/response-dialect';
import { Operation } from './operation';
import { PreparedAnswer, PreparedCall } from './operations.repository';

/** The answer a refusal gets, in the route's dialect: the same bytes whether it is sent now or replayed. */
export function refusalAnswer(error: DomainError, dialect: ResponseDialect): PreparedAnswer {
  const { status, code, message, details } = error;
  const description = { status, code, message, details };
  return { status: errorStatusIn(dialect, description), body: JSON.stringify(dialect.errorBody(description)) };
}

/**
 * Rendered refusals, per set of refusals and dialect. A route's refusals are shared constants
 * (`debitRefusals`, a service's own), so each set is rendered once, not on every request.
 */
const renderedRefusals = new WeakMap<Record<string, DomainError>, WeakMap<ResponseDialect, string>>();

function renderRefusals(refusals: Record<string, DomainError>, dialect: ResponseDialect): string {
  let byDialect = renderedRefusals.get(refusals);
  if (!byDialect) renderedRefusals.set(refusals, (byDialect = new WeakMap()));
  let rendered = byDialect.get(dialect);
  if (rendered === undefined) {
    rendered = JSON.stringify(Object.fromEntries(Object.entries(refusals).map(([name, error]) => [name, refusalAnswer(error, dialect)])));
    byDialect.set(dialect, rendered);
  }
  return rendered;
}

/** Renders every answer of `operation` once, before its one call. */
export function prepareCall(operation: Operation, successStatus: number, dialect: ResponseDialect): PreparedCall {
  const body = JSON.stringify(operation.result);
  // An event that is the answer itself is not sent twice: the function takes the answer (p_event NULL).
  const event = operation.event === undefined || operation.event === operation.result ? undefined : JSON.stringify(operation.event);
  return { fn: operation.fn, args: operation.args, answer: { status: successStatus, body }, refusals: renderRefusals(operation.refusals, dialect), event, executed: operation.executed };
}

const NO_REFUSALS = JSON.stringify({});

/** A refusal decided while preparing (an unknown product, a bad denomination): recorded under the key all the same. */
export function prepareRefusal(error: DomainError, dialect: ResponseDialect): PreparedCall {
  return { fn: 'record_refusal', args: {}, answer: refusalAnswer(error, dialect), refusals: NO_REFUSALS };
}
