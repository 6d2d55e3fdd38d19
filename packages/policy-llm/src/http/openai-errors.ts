import { RlftError } from '@rlft/core';
import { APIConnectionError, APIConnectionTimeoutError, APIError } from 'openai';

export type OpenAiEndpointErrorCode =
  | 'ENDPOINT_UNREACHABLE'
  | 'ENDPOINT_TIMEOUT'
  | 'ENDPOINT_AUTH'
  | 'ENDPOINT_NOT_FOUND'
  | 'ENDPOINT_MODEL'
  | 'ENDPOINT_REJECTED'
  | 'ENDPOINT_SERVER_ERROR'
  | 'ENDPOINT_RESPONSE';

/** A call to an OpenAI-compatible server failed; the message says what to change. */
export class OpenAiEndpointError extends RlftError {
  /** HTTP status, when the server answered. */
  readonly status: number | undefined;
  constructor(code: OpenAiEndpointErrorCode, message: string, status?: number, options?: ErrorOptions) {
    super(code, message, options);
    this.status = status;
  }
}

/** Where a failed call went, for the error message. */
export interface EndpointContext {
  baseURL: string;
  apiKeyEnv: string;
  timeoutMs: number;
  maxRetries: number;
}

/** Statuses worth another try (the openai client's own list): timeouts, conflicts, rate limits, server errors. */
export function isRetryableFailure(error: unknown): boolean {
  if (error instanceof APIConnectionError) return true;
  if (error instanceof APIError && typeof error.status === 'number') {
    return error.status === 408 || error.status === 409 || error.status === 429 || error.status >= 500;
  }
  return false;
}

/** The delay a server asked for with `retry-after-ms` or `retry-after` (seconds), if any. */
export function serverRetryDelayMs(error: unknown): number | undefined {
  if (!(error instanceof APIError) || !error.headers) return undefined;
  const millis = Number.parseFloat(error.headers.get('retry-after-ms') ?? '');
  if (millis >= 0) return millis;
  const seconds = Number.parseFloat(error.headers.get('retry-after') ?? '');
  return seconds >= 0 ? seconds * 1000 : undefined;
}

/**
 * Turns an openai-client failure into an OpenAiEndpointError that names the URL and what to do.
 * 404 is left to the caller, who can list the served models (see notFoundError).
 */
export function describeFailure(error: unknown, route: string, context: EndpointContext): unknown {
  const url = `${context.baseURL}${route}`;
  const retried = context.maxRetries > 0 ? ` (tried ${context.maxRetries + 1} times)` : '';
  if (error instanceof APIConnectionTimeoutError) {
    return new OpenAiEndpointError(
      'ENDPOINT_TIMEOUT',
      `${url} did not answer within ${context.timeoutMs} ms${retried}. Raise timeoutMs for long generations, or check that the server is not overloaded.`,
      undefined,
      { cause: error },
    );
  }
  if (error instanceof APIConnectionError) {
    const refused = errorCodes(error).includes('ECONNREFUSED');
    const detail = refused ? 'connection refused' : `${innermostMessage(error)}`;
    return new OpenAiEndpointError(
      'ENDPOINT_UNREACHABLE',
      `Cannot reach the OpenAI-compatible server at ${context.baseURL}: ${detail}${retried}. ` +
        'Start the server first (e.g. `vllm serve <model>`, `python -m sglang.launch_server --model-path <model>`, `llama-server -m <gguf>`, `ollama serve`) or fix baseURL.',
      undefined,
      { cause: error },
    );
  }
  if (error instanceof APIError && typeof error.status === 'number') {
    const serverMessage = error.error && typeof error.error === 'object' && 'message' in error.error ? String(error.error.message) : error.message;
    if (error.status === 401 || error.status === 403) {
      const keyState = process.env[context.apiKeyEnv] ? 'is set but the server did not accept it' : 'is not set';
      return new OpenAiEndpointError(
        'ENDPOINT_AUTH',
        `${url} refused the API key (${error.status}: ${serverMessage}). The key is read from the environment variable ${context.apiKeyEnv}, which ${keyState}; set it (or choose another variable with apiKeyEnv).`,
        error.status,
        { cause: error },
      );
    }
    if (error.status === 413) {
      return new OpenAiEndpointError('ENDPOINT_REJECTED', `${url} refused the request as too large (413): ${serverMessage}. Send shorter prompts, or raise the server's body limit.`, 413, { cause: error });
    }
    if (error.status >= 500) {
      return new OpenAiEndpointError('ENDPOINT_SERVER_ERROR', `${url} failed (${error.status})${retried}: ${serverMessage}`, error.status, { cause: error });
    }
    return new OpenAiEndpointError('ENDPOINT_REJECTED', `${url} rejected the request (${error.status}): ${serverMessage}`, error.status, { cause: error });
  }
  return error;
}

/** A 404: either the model is not served (say which are) or the route does not exist (say what baseURL should look like). */
export function notFoundError(error: APIError, route: string, model: string, servedModels: readonly string[] | undefined, baseURL: string): OpenAiEndpointError {
  if (servedModels && !servedModels.includes(model)) return modelNotServedError(baseURL, model, servedModels, error);
  return new OpenAiEndpointError(
    'ENDPOINT_NOT_FOUND',
    `${baseURL}${route} does not exist (404: ${error.message}). Check baseURL: it should end at the API root, usually '/v1' (e.g. http://127.0.0.1:8000/v1).`,
    404,
    { cause: error },
  );
}

export function modelNotServedError(baseURL: string, model: string, servedModels: readonly string[], cause?: unknown): OpenAiEndpointError {
  return new OpenAiEndpointError(
    'ENDPOINT_MODEL',
    `The server at ${baseURL} does not serve model '${model}'. It serves: ${servedModels.join(', ') || '(none)'}. Set model to one of these (or leave it out when there is only one).`,
    404,
    cause === undefined ? undefined : { cause },
  );
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let current: unknown = error; current && typeof current === 'object'; current = (current as { cause?: unknown }).cause) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    const nested = (current as { errors?: unknown }).errors; // AggregateError from dual-stack connects
    if (Array.isArray(nested)) for (const inner of nested) codes.push(...errorCodes(inner));
  }
  return codes;
}

function innermostMessage(error: Error): string {
  let current: unknown = error;
  while (current instanceof Error && current.cause instanceof Error) current = current.cause;
  return current instanceof Error ? current.message : String(current);
}
