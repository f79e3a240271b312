import { PipeTransform } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { ValidationFailedError } from './errors';

/** A path id must be a UUID (anything else: 400 VALIDATION_ERROR naming it); lower-cased, as stored. */
class ParseIdPipe implements PipeTransform<string, string> {
  constructor(private readonly field: string) {}

  transform(value: string): string {
    if (!isUUID(value)) throw new ValidationFailedError([{ field: this.field, errors: [`${this.field} must be a UUID`] }]);
    return value.toLowerCase();
  }
}

export const ParseId = (field = 'id') => new ParseIdPipe(field);
