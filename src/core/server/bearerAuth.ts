import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { MlflowHttpError } from './mlflowHttpError';

/** A fresh token per server start: 256 random bits, URL-safe. */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * Checks `Authorization: Bearer <token>` (what the mlflow client sends for MLFLOW_TRACKING_TOKEN).
 * Digests are compared in constant time so the token cannot be guessed byte by byte.
 */
export function checkBearerToken(req: IncomingMessage, expected: string): void {
  const header = req.headers.authorization;
  if (header === undefined || header === '') {
    throw new MlflowHttpError(401, 'UNAUTHENTICATED', 'Missing Authorization header: this MLOps Studio server needs "Authorization: Bearer <token>". Set MLFLOW_TRACKING_TOKEN to the token the server printed (it is also in .mlops/server.json).');
  }
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) {
    throw new MlflowHttpError(401, 'UNAUTHENTICATED', `Unsupported Authorization header: expected "Bearer <token>", got a "${header.split(/\s/)[0] ?? ''}" credential.`);
  }
  if (!timingSafeEqual(digest(match[1] as string), digest(expected))) {
    throw new MlflowHttpError(401, 'UNAUTHENTICATED', 'The bearer token does not match this server: the token changes each time the server starts; take the current one from MLFLOW_TRACKING_TOKEN as printed, or from .mlops/server.json.');
  }
}
