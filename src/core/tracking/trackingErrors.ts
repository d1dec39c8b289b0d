/** Base of tracking errors; `code` mirrors MLflow's error codes for the REST layer. */
export class TrackingError extends Error {
  constructor(
    message: string,
    readonly code: 'INVALID_PARAMETER_VALUE' | 'RESOURCE_DOES_NOT_EXIST' | 'RESOURCE_ALREADY_EXISTS' | 'INVALID_STATE' | 'PERMISSION_DENIED',
  ) {
    super(message);
    this.name = 'TrackingError';
  }
}

export class NotFoundError extends TrackingError {
  constructor(message: string) {
    super(message, 'RESOURCE_DOES_NOT_EXIST');
    this.name = 'NotFoundError';
  }
}

export class InvalidArgumentError extends TrackingError {
  constructor(message: string) {
    super(message, 'INVALID_PARAMETER_VALUE');
    this.name = 'InvalidArgumentError';
  }
}

/** Params are immutable: logging another value for a key is a mistake worth stopping on. */
export class ParamConflictError extends TrackingError {
  constructor(
    readonly runId: string,
    readonly key: string,
    readonly oldValue: string,
    readonly newValue: string,
  ) {
    super(`Param "${key}" of run ${runId} is already "${oldValue}"; params cannot change, so logging "${newValue}" was refused. Start a new run to try another value.`, 'INVALID_PARAMETER_VALUE');
    this.name = 'ParamConflictError';
  }
}

/** An artifact path that would leave the run's artifact folder. */
export class ArtifactPathError extends TrackingError {
  constructor(path: string, reason: string) {
    super(`Artifact path ${JSON.stringify(path)} is not allowed: ${reason}.`, 'INVALID_PARAMETER_VALUE');
    this.name = 'ArtifactPathError';
  }
}
