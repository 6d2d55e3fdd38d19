import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Completion, LanguageModelBackend, SamplingOptions } from '../backend.js';
import { OpenAiRequestError, parseChatRequest, parseCompletionRequest } from './openai-request-parsing.js';
import { Semaphore } from './semaphore.js';
import { splitTrailingStop } from './stop-strings.js';

export interface OpenAiServerOptions {
  backend: LanguageModelBackend;
  /** Default 127.0.0.1 (loopback only; there is no authentication). */
  host?: string;
  /** Default 0: any free port (read it from the result). */
  port?: number;
  /** Name in /v1/models and in responses; default backend.modelName. */
  modelName?: string;
  /** Further names the same backend answers to (like vLLM's several --served-model-name). */
  aliases?: readonly string[];
  /** When set, requests must carry `Authorization: Bearer <apiKey>` (like vLLM's --api-key); /health stays open. */
  apiKey?: string;
  /** Larger request bodies get 413 (default 4 MiB). */
  maxBodyBytes?: number;
  /** max_tokens when a request leaves it out (default 256). */
  defaultMaxTokens?: number;
  /**
   * Backend calls running at once (default 1: calls are serialised, since an in-process model with
   * one KV cache is not re-entrant). Raise it for backends that batch or forward concurrent calls.
   */
  backendConcurrency?: number;
}

export interface OpenAiServer {
  /** The API root, ending in /v1 — a baseURL for OpenAiBackend or any OpenAI client. */
  url: string;
  port: number;
  /** Stops listening and drops open connections, in-flight requests included. */
  close(): Promise<void>;
}

type Handler = (request: IncomingMessage, url: URL) => Promise<unknown>;

/**
 * Serves a LanguageModelBackend over the OpenAI HTTP API (non-streaming): GET /v1/models,
 * POST /v1/chat/completions, POST /v1/completions (needs backend.complete), GET /health.
 * Returned texts follow OpenAI's semantics — the matched stop string is cut off — and vLLM's
 * `stop_reason` says which one it was, so OpenAiBackend can put it back.
 */
export async function startOpenAiServer(options: OpenAiServerOptions): Promise<OpenAiServer> {
  const { backend } = options;
  const modelName = options.modelName ?? backend.modelName;
  const servedNames = [modelName, ...(options.aliases ?? [])];
  const maxBodyBytes = options.maxBodyBytes ?? 4 * 1024 * 1024;
  const defaultMaxTokens = options.defaultMaxTokens ?? 256;
  const backendCalls = new Semaphore(options.backendConcurrency ?? 1);

  const checkModel = (requested: string | undefined): string => {
    if (requested === undefined) return modelName;
    if (!servedNames.includes(requested)) {
      throw new OpenAiRequestError(404, `The model '${requested}' does not exist. This server serves: ${servedNames.join(', ')}.`, 'model', 'model_not_found', 'NotFoundError');
    }
    return requested;
  };

  const callBackend = (request: IncomingMessage, what: string, call: () => Promise<Completion[]>): Promise<Completion[]> =>
    backendCalls.run(async () => {
      // A client that gave up (timed out) while queued would otherwise still cost a backend call, and its retry another.
      if (request.socket.destroyed) throw new OpenAiRequestError(499, 'The client closed the connection before its turn.', null, 'client_closed');
      try {
        return await call();
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        throw new OpenAiRequestError(500, `Backend '${backend.kind}' failed in ${what}: ${message}`, null, 'backend_error', 'server_error');
      }
    });

  const models = () => ({ object: 'list', data: servedNames.map(modelCard) });

  const routes: Record<string, Partial<Record<'GET' | 'POST', Handler>>> = {
    '/health': { GET: async () => ({ status: 'ok' }) },
    '/v1/models': { GET: async () => models() },
    '/v1/chat/completions': {
      POST: async (request) => {
        const parsed = parseChatRequest(await readJsonBody(request, maxBodyBytes), defaultMaxTokens);
        const model = checkModel(parsed.model);
        const [completion] = await callBackend(request, 'generate', () => backend.generate([parsed.request], parsed.sampling));
        const choice = shapeChoice(completion, parsed.sampling);
        const logprobs = parsed.logprobs && completion.logprobs ? { content: completion.logprobs.map(tokenLogprob) } : null;
        return {
          id: `chatcmpl-${randomUUID()}`,
          object: 'chat.completion',
          created: nowSeconds(),
          model,
          choices: [{ index: 0, message: { role: 'assistant', content: choice.text }, logprobs, finish_reason: choice.finishReason, stop_reason: choice.stopReason }],
          ...usage([completion]),
        };
      },
    },
    '/v1/completions': {
      POST: async (request) => {
        const parsed = parseCompletionRequest(await readJsonBody(request, maxBodyBytes), defaultMaxTokens);
        const model = checkModel(parsed.model);
        const complete = backend.complete?.bind(backend);
        if (!complete) {
          throw new OpenAiRequestError(400, `Backend '${backend.kind}' offers no raw-text completion; use /v1/chat/completions.`, null, 'unsupported_endpoint');
        }
        const completions = await callBackend(request, 'complete', () => complete(parsed.prompts, parsed.sampling));
        return {
          id: `cmpl-${randomUUID()}`,
          object: 'text_completion',
          created: nowSeconds(),
          model,
          choices: completions.map((completion, index) => {
            const choice = shapeChoice(completion, parsed.sampling);
            // Token texts are not known to the backend contract, so `tokens` is left out.
            const logprobs = parsed.logprobs && completion.logprobs ? { token_logprobs: completion.logprobs, top_logprobs: null } : null;
            return { index, text: choice.text, logprobs, finish_reason: choice.finishReason, stop_reason: choice.stopReason };
          }),
          ...usage(completions),
        };
      },
    },
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    try {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const modelMatch = /^\/v1\/models\/(.+)$/.exec(url.pathname);
      const route = modelMatch ? { GET: async () => modelCard(checkModel(decodeURIComponent(modelMatch[1]))) } : routes[url.pathname];
      if (!route) throw new OpenAiRequestError(404, `No route ${request.method} ${url.pathname}. Routes: GET /v1/models, POST /v1/chat/completions, POST /v1/completions, GET /health.`, null, 'not_found', 'NotFoundError');
      if (options.apiKey !== undefined && url.pathname !== '/health' && request.headers.authorization !== `Bearer ${options.apiKey}`) {
        throw new OpenAiRequestError(401, 'Missing or wrong API key: send the header `Authorization: Bearer <key>`.', null, 'invalid_api_key');
      }
      const handler = route[request.method as 'GET' | 'POST'];
      if (!handler) {
        response.setHeader('Allow', Object.keys(route).join(', '));
        throw new OpenAiRequestError(405, `${request.method} is not allowed on ${url.pathname}; use ${Object.keys(route).join(' or ')}.`, null, 'method_not_allowed');
      }
      sendJson(response, 200, await handler(request, url));
    } catch (error) {
      const failure = error instanceof OpenAiRequestError ? error : new OpenAiRequestError(500, `Internal server error: ${error instanceof Error ? error.message : String(error)}`, null, null, 'server_error');
      if (failure.status === 413) response.setHeader('Connection', 'close');
      request.resume(); // drain an unread body, so the client gets to read this answer
      sendJson(response, failure.status, { error: { message: failure.message, type: failure.type, param: failure.param, code: failure.errorCode } });
    }
  };

  const server = createServer((request, response) => void handle(request, response));
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port, address, family } = server.address() as AddressInfo;
  const host = family === 'IPv6' ? `[${address}]` : address;
  return {
    url: `http://${host}:${port}/v1`,
    port,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Cuts a trailing stop string off per OpenAI's semantics and names it as vLLM's `stop_reason` does. */
function shapeChoice(completion: Completion, sampling: SamplingOptions): { text: string; finishReason: 'stop' | 'length'; stopReason: string | null } {
  if (completion.finishReason !== 'stop') return { text: completion.text, finishReason: completion.finishReason, stopReason: null };
  const { text, matchedStop } = splitTrailingStop(completion.text, sampling.stop);
  return { text, finishReason: 'stop', stopReason: matchedStop };
}

/** Token texts are not part of the backend contract, so `token` is empty and `bytes` null. */
function tokenLogprob(logprob: number) {
  return { token: '', logprob, bytes: null, top_logprobs: [] };
}

/** `usage` when every completion says how many tokens it generated; prompt tokens are not known. */
function usage(completions: readonly Completion[]): { usage?: { completion_tokens: number; total_tokens: number } } {
  const counts = completions.map((completion) => completion.tokenCount ?? completion.logprobs?.length);
  if (counts.some((count) => count === undefined)) return {};
  const total = counts.reduce<number>((sum, count) => sum + (count ?? 0), 0);
  return { usage: { completion_tokens: total, total_tokens: total } };
}

function modelCard(id: string) {
  return { id, object: 'model', created: 0, owned_by: 'rlft' };
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Reads and parses the body, refusing more than maxBodyBytes (413) and malformed JSON (400). */
async function readJsonBody(request: IncomingMessage, maxBodyBytes: number): Promise<unknown> {
  const tooLarge = () => new OpenAiRequestError(413, `The request body exceeds this server's limit of ${maxBodyBytes} bytes (maxBodyBytes).`, null, 'request_too_large');
  if (Number(request.headers['content-length'] ?? 0) > maxBodyBytes) throw tooLarge();
  // Events rather than `for await`: leaving that loop early destroys the socket before the 413 is sent.
  const text = await new Promise<string>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBodyBytes) reject(tooLarge());
      else chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new OpenAiRequestError(400, `The request body is not valid JSON: ${error instanceof Error ? error.message : String(error)}`, null, 'invalid_json');
  }
}

function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}
