import type { RegisteredModel } from './registryTypes';

/** Model tag that lets the requester of a review approve it too (set to "true"). */
export const SELF_APPROVAL_TAG = 'mlops.review.allowSelfApproval';

/** A model's review policy: no review, review by anyone (requester included), or by someone else (the default once reviews are on). */
export function allowsSelfApproval(model: RegisteredModel): boolean {
  return model.tags.some((t) => t.key === SELF_APPROVAL_TAG && t.value === 'true');
}

/** The policy in words, for the Models view, the CLI and error messages. */
export function describeReviewPolicy(model: RegisteredModel): string {
  if (!model.requireReview) return 'aliases move directly';
  return allowsSelfApproval(model) ? 'alias moves need an approved review (the requester may approve)' : 'alias moves need approval by someone other than the requester';
}
