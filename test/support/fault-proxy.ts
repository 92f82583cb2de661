/**
 * A proxy in front of moto that answers chosen requests with the errors AWS gives
 * and moto cannot: throttling, server faults, access denied, partial failures.
 * Functions under test reach it through `AWS_ENDPOINT_URL`, so their real SDK
 * clients (with their retries, their error parsing) meet the fault; every other
 * request goes on to moto unchanged.
 */
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the proxy saw it. */
export interface ProxiedRequest {
  /** The signing name from the credential scope: `sns`, `dynamodb`, `s3`, `config`... */
  readonly service: string;
  /** `Publish`, `TransactWriteItems`, `GetBucketTagging`, `PutEvaluations`... */
  readonly operation: string;
  readonly path: string;
  readonly body: string;
}

/** A made-up answer: the status, and the body in the service's protocol. */
export interface FaultAnswer {
  readonly status: number;
  readonly body: string;
  readonly contentType: string;
}

/**
 * Decides a request's fate: an answer to give instead of moto's, or `undefined` to
 * pass it on (after the returned promise settles, so a rule can hold a request).
 */
export type FaultRule = (
  request: ProxiedRequest,
) => FaultAnswer | undefined | Promise<FaultAnswer | undefined>;

export interface FaultProxy {
  /** `http://127.0.0.1:<port>`, for `AWS_ENDPOINT_URL`. */
  readonly endpoint: string;
  /** Every request since the last `reset()`, as `service:operation`, in arrival order. */
  readonly seen: string[];
  /** Replaces the rule (none: every request goes to moto). */
  use(rule: FaultRule | undefined): void;
  reset(): void;
  stop(): Promise<void>;
}

export async function startFaultProxy(target: string): Promise<FaultProxy> {
  let rule: FaultRule | undefined;
  const seen: string[] = [];
  const server = createServer((incoming, outgoing) => {
    void handle(incoming, outgoing).catch((error: unknown) => {
      outgoing.writeHead(502, { 'content-type': 'text/plain' });
      outgoing.end(`fault proxy: ${(error as Error).message}`);
    });
  });

  async function handle(incoming: IncomingMessage, outgoing: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of incoming) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const request = describe(incoming, body.toString('utf8'));
    seen.push(`${request.service}:${request.operation}`);
    const answer = rule ? await rule(request) : undefined;
    if (answer) {
      outgoing.writeHead(answer.status, {
        'content-type': answer.contentType,
        'x-amzn-requestid': 'fault-proxy',
      });
      outgoing.end(answer.body);
      return;
    }
    const headers = new Headers();
    for (const [name, value] of Object.entries(incoming.headers)) {
      if (value !== undefined && name !== 'host' && name !== 'connection') {
        headers.set(name, Array.isArray(value) ? value.join(', ') : value);
      }
    }
    const response = await fetch(`${target}${incoming.url ?? '/'}`, {
      method: incoming.method ?? 'GET',
      headers,
      ...(body.length > 0 ? { body } : {}),
    });
    const forwarded: Record<string, string> = {};
    response.headers.forEach((value, name) => {
      if (name !== 'content-encoding' && name !== 'transfer-encoding' && name !== 'connection') {
        forwarded[name] = value;
      }
    });
    const payload = Buffer.from(await response.arrayBuffer());
    forwarded['content-length'] = String(payload.length);
    outgoing.writeHead(response.status, forwarded);
    outgoing.end(payload);
  }

  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    seen,
    use(next) {
      rule = next;
    },
    reset() {
      rule = undefined;
      seen.length = 0;
    },
    async stop() {
      server.closeAllConnections();
      server.close();
      await once(server, 'close');
    },
  };
}

/** The service (from the signature's credential scope) and operation of a request. */
function describe(incoming: IncomingMessage, body: string): ProxiedRequest {
  const authorization = String(incoming.headers.authorization ?? '');
  const service = /Credential=[^/]+\/[^/]+\/[^/]+\/([^/]+)\//.exec(authorization)?.[1] ?? '?';
  const url = new URL(incoming.url ?? '/', 'http://proxy');
  const target = incoming.headers['x-amz-target'];
  let operation: string;
  if (typeof target === 'string') {
    operation = target.slice(target.lastIndexOf('.') + 1);
  } else if (service === 's3') {
    operation = s3Operation(incoming.method ?? 'GET', url);
  } else {
    operation = new URLSearchParams(body).get('Action') ?? '?';
  }
  return { service, operation, path: url.pathname, body };
}

function s3Operation(method: string, url: URL): string {
  const subresource = url.searchParams.has('tagging') ? 'BucketTagging' : 'Object';
  if (url.pathname === '/' && method === 'GET') return 'ListBuckets';
  const verb = method === 'GET' ? 'Get' : method === 'PUT' ? 'Put' : method;
  return `${verb}${subresource}`;
}

/** An error in the query protocol (SNS): `code` as the service sends it on the wire. */
export function queryError(status: number, code: string, message = code): FaultAnswer {
  return {
    status,
    contentType: 'text/xml',
    body:
      '<ErrorResponse xmlns="http://sns.amazonaws.com/doc/2010-03-31/"><Error>' +
      `<Type>${status >= 500 ? 'Receiver' : 'Sender'}</Type><Code>${code}</Code>` +
      `<Message>${message}</Message></Error><RequestId>fault-proxy</RequestId></ErrorResponse>`,
  };
}

/** An error in the JSON protocols (DynamoDB, Config, CloudWatch). */
export function jsonError(status: number, type: string, message = type): FaultAnswer {
  return {
    status,
    contentType: 'application/x-amz-json-1.0',
    body: JSON.stringify({ __type: type, message }),
  };
}

/** An error in S3's REST-XML protocol. */
export function s3Error(status: number, code: string, message = code): FaultAnswer {
  return {
    status,
    contentType: 'application/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message><RequestId>fault-proxy</RequestId></Error>`,
  };
}

/** A successful JSON answer (a partial failure that the call itself reports). */
export function jsonAnswer(document: unknown): FaultAnswer {
  return { status: 200, contentType: 'application/x-amz-json-1.1', body: JSON.stringify(document) };
}
