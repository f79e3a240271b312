import { PipeTransform } from '@nestjs/common';
import { ValidationFailedError } from '../common/errors';
import { REQUEST_ID } from '../common/request-id';

/** A request id as the service keeps them (src/common/request-id.ts); anything else cannot name one: 400. */
export const ParseRequestId: PipeTransform<string, string> = {
  transform(value: string): string {
    if (!REQUEST_ID.test(value)) throw new ValidationFailedError([{ field: 'id', errors: ['id must be a request id (1–128 of A-Z a-z 0-9 . _ : -)'] }]);
    return value;
  },
};
