import { DomainError } from '../common/errors';
import { ResponseDialect } from '../common/response-dialect';
import { Operation } from './operation';
import { PreparedAnswer, PreparedCall } from './operations.repository';

/** The answer a refusal gets, in the route's dialect: the same bytes whether it is sent now or replayed. */
export function refusalAnswer(error: DomainError, dialect: ResponseDialect): PreparedAnswer {
  const { status, code, message, details } = error;
  return { status, body: JSON.stringify(dialect.errorBody({ status, code, message, details })) };
}

/** Renders every answer of `operation` once, before its one call. */
export function prepareCall(operation: Operation, successStatus: number, dialect: ResponseDialect): PreparedCall {
  const refusals = Object.fromEntries(Object.entries(operation.refusals).map(([name, error]) => [name, refusalAnswer(error, dialect)]));
  const body = JSON.stringify(operation.result);
  // Most events are the answer itself: rendered once.
  const event = operation.event === undefined ? undefined : operation.event === operation.result ? body : JSON.stringify(operation.event);
  return { fn: operation.fn, args: operation.args, answer: { status: successStatus, body }, refusals, event };
}

/** A refusal decided while preparing (an unknown product, a bad denomination): recorded under the key all the same. */
export function prepareRefusal(error: DomainError, dialect: ResponseDialect): PreparedCall {
  return { fn: 'record_refusal', args: {}, answer: refusalAnswer(error, dialect), refusals: {} };
}
