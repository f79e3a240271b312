import { Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedError } from './errors';
import { flaw } from './json-body';

/** Flattens class-validator's tree into `[{field: "a.b", errors: [...]}]`. */
function toFieldErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = error.constraints ? [{ field, errors: Object.values(error.constraints) }] : [];
    return [...own, ...toFieldErrors(error.children ?? [], field)];
  });
}

/**
 * Runs before validation on every handler input (query, path parameters, body): PostgreSQL text
 * cannot hold NUL, so a NUL anywhere is the client's error, not a 500.
 */
@Injectable()
export class RefuseNulPipe implements PipeTransform {
  transform(value: unknown): unknown {
    if (flaw(value) === 'NUL') throw new ValidationFailedError([{ field: 'request', errors: ['strings must not contain NUL (\\u0000)'] }]);
    return value;
  }
}

/** The one global validation pipe (docs/architecture.md, step 4): unknown fields are refused, not silently dropped. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedError(toFieldErrors(errors)),
  });
}
