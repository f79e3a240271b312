import { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from './errors';
import { isIdentityKey } from './pagination';

/** A path id must have its id's form (anything else: 400 VALIDATION_ERROR naming it); lower-cased, as stored. */
class ParseIdPipe implements PipeTransform<string, string> {
  constructor(
    private readonly field: string,
    private readonly isValid: (value: string) => boolean,
    private readonly form: string,
  ) {}

  transform(value: string): string {
    if (!this.isValid(value)) throw new ValidationFailedError([{ field: this.field, errors: [`${this.field} must be ${this.form}`] }]);
    return value.toLowerCase();
  }
}

export const ParseId = (field = 'id') => new ParseIdPipe(field, (value) => isUUID(value), 'a UUID');

/** A bigint identity id (a webhook delivery's). */
export const ParseIdentityId = (field: string) => new ParseIdPipe(field, isIdentityKey, 'a positive integer below 2^63');
