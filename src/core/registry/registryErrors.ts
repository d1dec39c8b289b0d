import { TrackingError } from '../tracking/trackingErrors';

/** Moving an alias of a model that requires review, without an approved review. */
export class ReviewRequiredError extends TrackingError {
  constructor(
    readonly modelName: string,
    readonly alias: string,
    readonly version: number,
  ) {
    super(
      `Model "${modelName}" requires a review to move an alias: @${alias} was not set to version ${version}. Request one (mlops models review request ${modelName} ${alias} ${version} -m "why"), then approve it.`,
      'INVALID_STATE',
    );
    this.name = 'ReviewRequiredError';
  }
}
