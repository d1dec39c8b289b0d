import type { IncomingMessage, ServerResponse } from 'node:http';

const LOOPBACK_HOST = /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i;

/**
 * Every server the product starts listens on 127.0.0.1 only, but a web page can point a name it
 * controls at 127.0.0.1 (DNS rebinding) and then talk to it as its own origin. Its requests still
 * carry that name in Host, so only loopback names are served.
 */
export function isLoopbackHost(host: string | undefined): boolean {
  return host !== undefined && LOOPBACK_HOST.test(host);
}

/** Why a request under another Host is refused, in words a user who sees it can act on. */
export function foreignHostMessage(host: string | undefined, example: string): string {
  return `Requests for host ${JSON.stringify(host ?? '')} are refused: this server answers only as 127.0.0.1 or localhost (${example}).`;
}

/**
 * Answers 403 PERMISSION_DENIED for a request under a foreign Host and returns true; returns false
 * (and touches nothing) for a loopback one. For servers without an error pipeline of their own.
 */
export function refuseForeignHost(req: IncomingMessage, res: ServerResponse): boolean {
  if (isLoopbackHost(req.headers.host)) return false;
  const body = JSON.stringify({ error_code: 'PERMISSION_DENIED', message: foreignHostMessage(req.headers.host, `use http://127.0.0.1:${req.socket.localPort ?? '<port>'}`) });
  // The body is not read: drop it and the connection rather than parse it as a next request.
  req.resume();
  res.writeHead(403, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body), Connection: 'close' }).end(body);
  return true;
}
