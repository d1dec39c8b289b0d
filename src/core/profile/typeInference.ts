import { isMissingText } from './byteCells';
import type { ProfileColumnType } from './profileTypes';

/** Rows read before column types are decided (the same window as the training reader). */
export const PROFILE_INFERENCE_ROWS = 2000;

const NUMBER = /^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$/;
const INTEGER = /^\s*[-+]?\d+\s*$/;
const BOOLEAN = /^(true|false|True|False|TRUE|FALSE)$/;
const DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

/** The type every non-missing value in `values` fits, most specific first. */
export function inferColumnType(values: readonly string[]): ProfileColumnType {
  let seen = 0;
  let numeric = true;
  let integer = true;
  let boolean = true;
  let datetime = true;
  for (const value of values) {
    if (isMissingText(value)) continue;
    seen++;
    if (numeric && !NUMBER.test(value)) numeric = false;
    if (integer && !INTEGER.test(value)) integer = false;
    if (boolean && !BOOLEAN.test(value)) boolean = false;
    if (datetime && !(DATETIME.test(value) && !Number.isNaN(Date.parse(value)))) datetime = false;
    if (!numeric && !boolean && !datetime) return 'string';
  }
  if (seen === 0) return 'empty';
  if (numeric) return integer ? 'integer' : 'float';
  if (boolean) return 'boolean';
  if (datetime) return 'datetime';
  return 'string';
}

/** Numeric statistics apply to these types (datetimes as epoch milliseconds). */
export function isNumericType(type: ProfileColumnType): boolean {
  return type === 'integer' || type === 'float' || type === 'datetime';
}
