/** Reading a profile saved as JSON ("Save as JSON" in the panel, `mlops profile --save`) back, checked. */
import type { DataProfile } from './profileTypes';

/** The profile in `text`, or an error naming `file` and what is missing. */
export function parseSavedProfile(text: string, file: string): DataProfile {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new Error(`${file} is not a saved profile: ${(error as Error).message}`, { cause: error });
  }
  const v = value as Partial<Record<keyof DataProfile, unknown>> | null;
  if (v === null || typeof v !== 'object' || v.version !== 1 || !Array.isArray(v.columns) || typeof v.rows !== 'number' || typeof v.file !== 'string') {
    throw new Error(`${file} is not a saved profile (version 1 with file, rows and columns): save one with "Save as JSON" in the profile panel or mlops profile FILE --save OUT.json`);
  }
  return value as DataProfile;
}

/** A saved profile (JSON) rather than a data file to profile. */
export function isSavedProfilePath(path: string): boolean {
  return /\.json$/i.test(path);
}
