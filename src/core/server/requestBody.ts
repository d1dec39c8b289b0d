import type { IncomingMessage } from 'node:http';
import { jsonNestingExceeds, MAX_JSON_NESTING } from './jsonNesting';
import { invalidParameter, MlflowHttpError } from './mlflowHttpError';
import type { RequestParams } from './requestParams';

/** 413 with an MLflow-style body; the server closes the connection after it. */
export function bodyTooLarge(where: string, limit: number, size?: number): MlflowHttpError {
  const got = size === undefined ? 'more than that' : `${size} bytes`;
  return new MlflowHttpError(413, 'RESOURCE_LIMIT_EXCEEDED', `The request body of ${where} is too large: the limit is ${limit} bytes, got ${got}. Split the request (log-batch takes at most 1000 metrics) or upload smaller files.`);
}

/**
 * Reads a request body of at most `limit` bytes. A declared Content-Length over the limit is
 * refused before a byte is read; a chunked body is cut off as soon as it passes the limit.
 */
export function readBody(req: IncomingMessage, limit: number, where: string): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(bodyTooLarge(where, limit, Number(declared)));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (error: Error | undefined, value?: Buffer): void => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onAborted);
      if (error) reject(error);
      else resolve(value as Buffer);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(bodyTooLarge(where, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => finish(undefined, chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    const onError = (error: Error): void => finish(error);
    const onAborted = (): void => finish(new Error(`the client closed the connection while sending the body of ${where}`));
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onAborted);
  });
}

/** The exact message of MLflow 2.12, which clients and docs quote. */
export const CONTENT_TYPE_MESSAGE = "Bad Request. Content-Type must be one of ['application/json'].";

export function checkJsonContentType(req: IncomingMessage): void {
  const header = req.headers['content-type'];
  const mime = (header ?? '').split(';')[0]?.trim().toLowerCase();
  if (mime !== 'application/json') throw invalidParameter(CONTENT_TYPE_MESSAGE);
}

/**
 * Python's json module writes float('nan') and infinities as bare NaN / Infinity / -Infinity,
 * which JSON.parse refuses; hand-written clients (`requests.post(json=...)`) send them. Outside
 * strings they become the protobuf-JSON strings "NaN", "Infinity", "-Infinity".
 */
function quoteNonFiniteTokens(text: string): string {
  let out = '';
  let inString = false;
  let last = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === 0x5c) i++; // skip the escaped character
      else if (ch === 0x22) inString = false;
      continue;
    }
    if (ch === 0x22) {
      inString = true;
      continue;
    }
    for (const token of ['-Infinity', 'Infinity', 'NaN']) {
      if (text.startsWith(token, i)) {
        out += `${text.slice(last, i)}"${token}"`;
        i += token.length - 1;
        last = i + 1;
        break;
      }
    }
  }
  return last === 0 ? text : out + text.slice(last);
}

/**
 * A JSON object body. An empty body is `{}` (MLflow does the same); a body that decodes to a
 * string is decoded again, because old clients double-encode.
 */
export function parseJsonBody(body: Buffer, where: string): RequestParams {
  if (body.length === 0) return {};
  let value: unknown;
  const text = body.toString('utf8');
  try {
    value = JSON.parse(text);
  } catch (error) {
    try {
      // Only after a failure: the usual body pays nothing for this.
      value = JSON.parse(quoteNonFiniteTokens(text));
    } catch {
      throw invalidParameter(`Malformed JSON in the request body of ${where}: ${(error as Error).message}`);
    }
  }
  try {
    if (typeof value === 'string') value = JSON.parse(value);
  } catch (error) {
    throw invalidParameter(`Malformed JSON in the request body of ${where} (a JSON string that is not JSON inside): ${(error as Error).message}`);
  }
  if (jsonNestingExceeds(value)) throw invalidParameter(`The request body of ${where} nests arrays and objects more than ${MAX_JSON_NESTING} levels deep; MLflow requests need only a few.`);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidParameter(`The request body of ${where} must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}.`);
  }
  return value as RequestParams;
}
