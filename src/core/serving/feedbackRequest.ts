import { MAX_FEEDBACK_COMMENT, MAX_FEEDBACK_LABEL } from '../feedback/modelFeedbackStore';
import { jsonNestingExceeds, MAX_JSON_NESTING } from '../server/jsonNesting';
import { ScoringRequestError } from './scoringErrors';

/** A POST /feedback body once checked: `undefined` = not given (keeps the saved value), null = clear it. */
export interface EndpointFeedbackBody {
  readonly requestId: string;
  readonly rating?: number | null;
  readonly label?: string | null;
  readonly comment?: string | null;
}

/** Feedback bodies are small; anything bigger is refused before it is parsed. */
export const MAX_FEEDBACK_BODY_BYTES = 64 * 1024;
const MAX_REQUEST_ID = 200;
const FIELDS = ['request_id', 'rating', 'label', 'comment'];

const bad = (message: string): ScoringRequestError => new ScoringRequestError(400, message);

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'a number too large';
  if (typeof value === 'string') return `the string ${JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value)}`;
  return typeof value === 'object' ? 'an object' : typeof value;
}

/**
 * Checks a /feedback body: {"request_id": "...", "rating"?: 1–5, "label"?: string or number,
 * "comment"?: string}. Every refusal names the field and what it must be.
 */
export function parseFeedbackBody(contentType: string | undefined, text: string): EndpointFeedbackBody {
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase();
  // JSON only: a browser cannot send it cross-site without a CORS preflight, which this endpoint never grants.
  if (type !== 'application/json') {
    throw new ScoringRequestError(415, `POST /feedback takes a JSON body with Content-Type: application/json, got ${contentType ? `"${contentType}"` : 'no Content-Type'}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw bad(`The /feedback body is not valid JSON (${error instanceof Error ? error.message : String(error)}); NaN and Infinity are not JSON.`);
  }
  if (jsonNestingExceeds(value)) throw bad(`The /feedback body nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; it is one flat object like {"request_id": "…", "rating": 5}.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad(`The /feedback body must be a JSON object like {"request_id": "…", "rating": 5}, got ${describe(value)}.`);
  }
  const body = value as Record<string, unknown>;
  const unknown = Object.keys(body).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0) throw bad(`Unknown field ${unknown.map((k) => JSON.stringify(k.slice(0, 60))).join(', ')} in the /feedback body: it takes ${FIELDS.join(', ')}.`);

  const requestId = body.request_id;
  if (requestId === undefined) throw bad('Field "request_id" is missing: give the X-Request-Id header of the /invocations response the feedback is about.');
  if (typeof requestId !== 'string' || requestId.trim() === '' || requestId.length > MAX_REQUEST_ID) {
    throw bad(`Field "request_id" must be the non-empty string from the X-Request-Id response header (at most ${MAX_REQUEST_ID} characters), got ${describe(requestId)}.`);
  }

  const rating = body.rating;
  if (rating !== undefined && rating !== null && !(typeof rating === 'number' && Number.isInteger(rating) && rating >= 1 && rating <= 5)) {
    throw bad(`Field "rating" must be a whole number from 1 to 5 (or null to clear it), got ${describe(rating)}.`);
  }

  let label = body.label;
  if (typeof label === 'number') {
    if (!Number.isFinite(label)) throw bad(`Field "label" must be a string or a finite number, got ${describe(label)}.`);
    label = String(label);
  }
  if (label !== undefined && label !== null && typeof label !== 'string') throw bad(`Field "label" must be a string or a number (or null to clear it), got ${describe(label)}.`);
  if (typeof label === 'string' && label.length > MAX_FEEDBACK_LABEL) throw bad(`Field "label" is ${label.length} characters long; at most ${MAX_FEEDBACK_LABEL}.`);

  const comment = body.comment;
  if (comment !== undefined && comment !== null && typeof comment !== 'string') throw bad(`Field "comment" must be a string (or null to clear it), got ${describe(comment)}.`);
  if (typeof comment === 'string' && comment.length > MAX_FEEDBACK_COMMENT) throw bad(`Field "comment" is ${comment.length} characters long; at most ${MAX_FEEDBACK_COMMENT}.`);

  if (rating === undefined && label === undefined && comment === undefined) throw bad('Nothing to record: give "rating" (1–5), "label" or "comment" with the "request_id".');
  return {
    requestId,
    ...(rating !== undefined ? { rating: rating as number | null } : {}),
    ...(label !== undefined ? { label: label as string | null } : {}),
    ...(comment !== undefined ? { comment: comment as string | null } : {}),
  };
}
