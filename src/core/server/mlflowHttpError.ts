import { TrackingError } from '../tracking/trackingErrors';
import { FilterSyntaxError } from '../tracking/searchFilter';

/** MLflow error codes our server answers with (names from MLflow's databricks.proto). */
export type MlflowErrorCode =
  | 'INVALID_PARAMETER_VALUE'
  | 'RESOURCE_DOES_NOT_EXIST'
  | 'RESOURCE_ALREADY_EXISTS'
  | 'INVALID_STATE'
  | 'ENDPOINT_NOT_FOUND'
  | 'UNAUTHENTICATED'
  | 'PERMISSION_DENIED'
  | 'RESOURCE_LIMIT_EXCEEDED'
  | 'NOT_IMPLEMENTED'
  | 'TEMPORARILY_UNAVAILABLE'
  | 'INTERNAL_ERROR';

/** A request that fails with an HTTP status and MLflow's `{"error_code","message"}` body. */
export class MlflowHttpError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: MlflowErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'MlflowHttpError';
  }
}

/** 400 INVALID_PARAMETER_VALUE, the error MLflow uses for anything wrong in a request. */
export function invalidParameter(message: string): MlflowHttpError {
  return new MlflowHttpError(400, 'INVALID_PARAMETER_VALUE', message);
}

export function notFound(message: string): MlflowHttpError {
  return new MlflowHttpError(404, 'RESOURCE_DOES_NOT_EXIST', message);
}

export interface ErrorReply {
  readonly status: number;
  readonly body: { readonly error_code: MlflowErrorCode; readonly message: string };
}

/**
 * The HTTP reply for any error thrown while handling a request. Engine errors keep their MLflow
 * code. INVALID_STATE is 500 in MLflow, but the Python client retries 5xx for minutes; a deleted
 * run or experiment will not change by retrying, so it is a 400 here.
 */
export function errorReply(error: unknown): ErrorReply {
  if (error instanceof MlflowHttpError) return { status: error.status, body: { error_code: error.errorCode, message: error.message } };
  if (error instanceof TrackingError) {
    const status = error.code === 'RESOURCE_DOES_NOT_EXIST' ? 404 : error.code === 'PERMISSION_DENIED' ? 403 : 400;
    return { status, body: { error_code: error.code, message: error.message } };
  }
  if (error instanceof FilterSyntaxError) return { status: 400, body: { error_code: 'INVALID_PARAMETER_VALUE', message: error.message } };
  const name = error instanceof Error ? error.name : '';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'StoreClosedError' || name === 'StoreWriteFailedError') {
    return { status: 503, body: { error_code: 'TEMPORARILY_UNAVAILABLE', message } };
  }
  return { status: 500, body: { error_code: 'INTERNAL_ERROR', message: `Internal error in the MLOps Studio tracking server: ${message}` } };
}
