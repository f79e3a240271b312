import { ArgumentMetadata, Injectable, PipeTransform, ValidationError, ValidationPipe } from '@nestjs/common';
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
 * Runs before validation on the query and path parameters: PostgreSQL text cannot hold NUL, so a
 * NUL is the client's error, not a 500. The body was checked already, as it was parsed (json-body.ts).
 */
@Injectable()
export class RefuseNulPipe implements PipeTransform {
  transform(value: unknown, { type }: ArgumentMetadata): unknown {
    if (type !== 'body' && flaw(value) === 'NUL') throw new ValidationFailedError([{ field: 'request', errors: ['strings must not contain NUL (\\u0000)'] }]);
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
