/**
 * A local HTTP endpoint serving Prometheus text exposition at GET /metrics, and, when given a readiness
 * check, GET /ready (200 ready, 503 not: server/readiness.ts); 404 otherwise.
 * A failed render is a 500 with nothing of the error in the body (it is for the log).
 */
import { createServer, type Server } from 'node:http';

export interface MetricsEndpoint {
  /** The exposition text; the content type is prom-client's (Registry.contentType) or Prometheus 0.0.4. */
  readonly render: () => string | Promise<string>;
  readonly contentType?: string | undefined;
  readonly ready?: (() => Promise<boolean>) | undefined;
  readonly onError?: ((error: unknown) => void) | undefined;
}

const TEXT_FORMAT = 'text/plain; version=0.0.4';

export async function startMetricsServer(
  host: string,
  port: number,
  endpoint: MetricsEndpoint | (() => string),
): Promise<{ server: Server; port: number }> {
  const served: MetricsEndpoint = typeof endpoint === 'function' ? { render: endpoint } : endpoint;
  const server = createServer((request, response) => {
    const path = request.url;
    if (request.method === 'GET' && path === '/metrics') {
      Promise.resolve()
        .then(served.render)
        .then(
          (text) => {
            response.writeHead(200, { 'content-type': served.contentType ?? TEXT_FORMAT }).end(text);
          },
          (error: unknown) => {
            served.onError?.(error);
            response.writeHead(500, { 'content-type': 'text/plain' }).end('metrics not available\n');
          },
        );
      return;
    }
    const ready = served.ready;
    if (request.method === 'GET' && ready !== undefined && path === '/ready') {
      void ready().then((ok) => {
        response
          .writeHead(ok ? 200 : 503, { 'content-type': 'application/json', 'cache-control': 'no-store' })
          .end(JSON.stringify({ status: ok ? 'ready' : 'not ready' }));
      });
      return;
    }
    response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  return { server, port: typeof address === 'object' && address !== null ? address.port : port };
}
