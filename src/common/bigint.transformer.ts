import { ValueTransformer } from 'typeorm';
import { parseMinorUnits } from './money';

/** Maps a PostgreSQL bigint money column (a string from the driver) to a bigint, once, at the edge. */
export const minorUnitsColumn: ValueTransformer = {
  to: (value: bigint | null | undefined) => (value === null || value === undefined ? value : value.toString()),
  from: (value: string | null) => (value === null ? null : parseMinorUnits(value)),
};
