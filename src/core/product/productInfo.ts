import { version, displayName } from '../../../package.json';

/** Version of the engine, the extension and the CLI: one number for all three. */
export const PRODUCT_VERSION: string = version;
export const PRODUCT_NAME: string = displayName;

/** Default folder of the workspace store, relative to the workspace root (DESIGN §4). */
export const DEFAULT_STORE_DIR = '.mlops';
