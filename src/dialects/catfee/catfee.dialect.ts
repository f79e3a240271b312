import { FieldError } from '../../common/errors';
import { ResponseDialect } from '../../common/response-dialect';

const DUPLICATE_MESSAGE = 'Duplicate order request, returning existing order';

/**
 * CatFee's envelope: `{"code": 0, "data": ...}` on success, `{"code": <non-zero>, "msg": ...}` on
 * error (the code is the HTTP status; `sub_code` carries Ledgerline's code), and a duplicate
 * `client_order_id` answers the recorded order with `sub_code`/`sub_msg` added.
 */
export const catFeeDialect: ResponseDialect = {
  errorBody: ({ status, code, message, details, requestId }) => ({
    code: status,
    sub_code: code,
    msg: Array.isArray(details) ? `${message}: ${(details as FieldError[]).map((d) => d.errors.join('; ')).join('; ')}` : message,
    ...(requestId ? { request_id: requestId } : {}),
  }),
  replayedSuccessBody: (recordedBody) => {
    const { data } = JSON.parse(recordedBody) as { data: unknown };
    return JSON.stringify({ code: 0, sub_code: 'SUCCESS', sub_msg: DUPLICATE_MESSAGE, data });
  },
};
