/** A request the endpoint refuses; `status` is the HTTP status a client sees, `message` says why. */
export class ScoringRequestError extends Error {
  /** answer, then close the connection (the rest of an oversized body is not read) */
  closeConnection = false;

  constructor(
    readonly status: 400 | 403 | 404 | 405 | 408 | 413 | 415 | 500 | 503,
    message: string,
    readonly errorCode = status === 413 ? 'RESOURCE_LIMIT_EXCEEDED' : status === 415 ? 'UNSUPPORTED_MEDIA_TYPE' : status === 404 ? 'RESOURCE_DOES_NOT_EXIST' : status === 403 ? 'PERMISSION_DENIED' : status >= 500 ? 'TEMPORARILY_UNAVAILABLE' : 'BAD_REQUEST',
  ) {
    super(message);
    this.name = 'ScoringRequestError';
  }
}
