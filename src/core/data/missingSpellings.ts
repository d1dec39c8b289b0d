/**
 * Text that data tools write for "no value": pandas reads these (its default `na_values`) as NaN,
 * R writes NA, SQL exports write NULL, Python's str() gives "None" and "nan". In a label column
 * they mean "unlabelled", never a class.
 */
const MISSING_SPELLINGS = new Set(['nan', '-nan', 'na', 'n/a', '#n/a', '#na', '#n/a n/a', '<na>', 'null', 'none', 'nat', '-1.#ind', '1.#ind', '-1.#qnan', '1.#qnan']);

/** Whether a (non-empty) text cell is a spelling of a missing value; case-insensitive. */
export function isMissingSpelling(text: string): boolean {
  // the length check spares lower-casing a huge cell
  return text.length <= 32 && MISSING_SPELLINGS.has(text.trim().toLowerCase());
}
