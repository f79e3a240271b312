import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsInt, IsObject, IsUUID, Max, Min, registerDecorator, ValidationOptions } from 'class-validator';
import { isSupportedCurrency } from './money';

/**
 * A resource id: a UUID, lower-cased at the edge. PostgreSQL answers in lower case, so an id sent
 * in upper case must not be compared or echoed as sent.
 */
export const IsId = () => applyDecorators(Transform(({ value }) => (typeof value === 'string' ? value.toLowerCase() : value)), IsUUID());

/** An amount in minor units: a JSON integer from 1 to 2^53-1 (a string or a fraction is refused). */
export const IsMinorUnits = () =>
  applyDecorators(IsInt({ message: '$property must be an integer count of minor units' }), Min(1), Max(Number.MAX_SAFE_INTEGER));

export function IsCurrency(options?: ValidationOptions): PropertyDecorator {
  return (target: object, propertyName: string | symbol) =>
    registerDecorator({
      name: 'isCurrency',
      target: target.constructor,
      propertyName: propertyName.toString(),
      options: { message: '$property must be an ISO-4217 code (or TRX)', ...options },
      validator: { validate: (value: unknown) => typeof value === 'string' && isSupportedCurrency(value) },
    });
}

const MAX_METADATA_BYTES = 4096;

/** Free-form JSON object the client attaches to a resource, at most 4 KiB serialised. */
export const IsMetadata = () =>
  applyDecorators(
    IsObject({ message: '$property must be a JSON object' }),
    (target: object, propertyName: string | symbol) =>
      registerDecorator({
        name: 'isSmallMetadata',
        target: target.constructor,
        propertyName: propertyName.toString(),
        options: { message: `$property must serialise to at most ${MAX_METADATA_BYTES} bytes` },
        validator: { validate: (value: unknown) => Buffer.byteLength(JSON.stringify(value) ?? '') <= MAX_METADATA_BYTES },
      }),
  );
