import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage, Completion, GenerationRequest, LanguageModelBackend, SamplingOptions } from '../backend.js';
import { DEFAULT_SAMPLING } from '../backend.js';
import { OpenAiBackend, normaliseBaseURL } from './openai-backend.js';
import { OpenAiEndpointError } from './openai-errors.js';
import { startOpenAiServer, type OpenAiServer, type OpenAiServerOptions } from './openai-server.js';
import { renderPlainPrompt } from './plain-prompt.js';
import { backoffDelayMs } from './retry.js';
import { restoreStop, splitTrailingStop } from './stop-strings.js';

/**
 * A real, deterministic backend: its answer is the last user message (continuing the assistant prefix
 * when the message starts with it), one token per character, stopping after the first stop string or
 * at maxNewTokens. Token i gets log-probability -(i + 1) / 8 (exact in JSON).
 */
class EchoBackend implements LanguageModelBackend {
  readonly kind = 'echo';
  readonly modelName = 'echo-1';
  delayMs = 0;
  failuresLeft = 0;
  inFlight = 0;
  maxInFlight = 0;
  readonly calls: { requests?: readonly GenerationRequest[]; prompts?: readonly string[]; sampling: SamplingOptions }[] = [];

  generate(requests: readonly GenerationRequest[], sampling: SamplingOptions): Promise<Completion[]> {
    this.calls.push({ requests, sampling });
    return this.#run(() => requests.map((request) => echo(lastUserMessage(request.messages), request.assistantPrefix ?? '', sampling)));
  }

  /** Reads prompts in renderPlainPrompt's layout: the last `### User` block answers, the text after the last `### Assistant` header is the prefix. */
  complete(prompts: readonly string[], sampling: SamplingOptions): Promise<Completion[]> {
    this.calls.push({ prompts, sampling });
    return this.#run(() =>
      prompts.map((prompt) => {
        const user = [...prompt.matchAll(/### User\n([\s\S]*?)\n\n/g)].at(-1)?.[1];
        const assistantAt = prompt.lastIndexOf('### Assistant\n');
        return user === undefined ? echo(prompt, '', sampling) : echo(user, prompt.slice(assistantAt + '### Assistant\n'.length), sampling);
      }),
    );
  }

  async #run(answer: () => Completion[]): Promise<Completion[]> {
    this.inFlight++;
    this.maxInFlight = Math.max(this.maxInFlight, this.inFlight);
    try {
      if (this.delayMs > 0) await new Promise((resolve) => setTimeout(resolve, this.delayMs));
      if (this.failuresLeft > 0) {
        this.failuresLeft--;
        throw new Error('echo backend: simulated device failure');
      }
      return answer();
    } finally {
      this.inFlight--;
    }
  }
}

function lastUserMessage(messages: readonly ChatMessage[]): string {
  return messages.filter((message) => message.role === 'user').at(-1)?.content ?? '';
}

function echo(script: string, prefix: string, sampling: SamplingOptions): Completion {
  const answer = script.startsWith(prefix) ? script.slice(prefix.length) : script;
  let end = answer.length;
  let finishReason: Completion['finishReason'] = 'stop';
  for (const stop of sampling.stop) {
    const at = answer.indexOf(stop);
    if (at >= 0) end = Math.min(end, at + stop.length);
  }
  if (end > sampling.maxNewTokens) {
    end = sampling.maxNewTokens;
    finishReason = 'length';
  }
  const text = answer.slice(0, end);
  return { text, finishReason, tokenCount: text.length, logprobs: Array.from(text, (_, i) => -(i + 1) / 8) };
}

const user = (content: string): GenerationRequest => ({ messages: [{ role: 'system', content: 'Echo.' }, { role: 'user', content }] });
const sampling = (overrides: Partial<SamplingOptions> = {}): SamplingOptions => ({ ...DEFAULT_SAMPLING, ...overrides });
const fast = { maxRetries: 0, retryDelayMs: 5, timeoutMs: 5000 };

async function withServer<T>(options: Partial<OpenAiServerOptions>, body: (server: OpenAiServer, backend: EchoBackend) => Promise<T>): Promise<T> {
  const backend = new EchoBackend();
  const server = await startOpenAiServer({ backend, ...options });
  try {
    return await body(server, backend);
  } finally {
    await server.close();
  }
}

async function rejection(promise: Promise<unknown>): Promise<OpenAiEndpointError> {
  const error = await promise.then(
    () => undefined,
    (failure: unknown) => failure,
  );
  expect(error).toBeInstanceOf(OpenAiEndpointError);
  return error as OpenAiEndpointError;
}

describe('OpenAiBackend against startOpenAiServer', () => {
  let server: OpenAiServer;
  let backend: EchoBackend;
  beforeAll(async () => {
    backend = new EchoBackend();
    server = await startOpenAiServer({ backend, backendConcurrency: 64 });
  });
  afterAll(() => server.close());

  for (const mode of ['chat', 'completions'] as const) {
    it(`${mode} mode: texts, kept stop strings, finish reasons, log-probabilities`, async () => {
      const client = new OpenAiBackend({ baseURL: server.url, mode, logprobs: true, ...fast });
      const completions = await client.generate([user('move left</a> then right'), user('a long answer with no stop'), user('stops at EOS')], sampling({ maxNewTokens: 16, stop: ['</a>'] }));
      expect(completions).toEqual([
        { text: 'move left</a>', finishReason: 'stop', tokenCount: 13, logprobs: Array.from({ length: 13 }, (_, i) => -(i + 1) / 8) },
        { text: 'a long answer wi', finishReason: 'length', tokenCount: 16, logprobs: Array.from({ length: 16 }, (_, i) => -(i + 1) / 8) },
        { text: 'stops at EOS', finishReason: 'stop', tokenCount: 12, logprobs: Array.from({ length: 12 }, (_, i) => -(i + 1) / 8) },
      ]);
      expect(client.modelName).toBe('echo-1'); // detected from /v1/models
    });

    it(`${mode} mode: the assistant prefix is continued, not repeated`, async () => {
      const client = new OpenAiBackend({ baseURL: server.url, model: 'echo-1', mode, ...fast });
      const [completion] = await client.generate([{ ...user('<action>3</action> trailing'), assistantPrefix: '<action>' }], sampling({ stop: ['</action>'] }));
      expect(completion.text).toBe('3</action>');
      expect(completion.logprobs).toBeUndefined();
      const seen = backend.calls.at(-1)!;
      if (mode === 'chat') expect(seen.requests?.[0].assistantPrefix).toBe('<action>');
      else expect(seen.prompts?.[0]).toBe(renderPlainPrompt({ ...user('<action>3</action> trailing'), assistantPrefix: '<action>' }));
    });
  }

  it("assistantPrefix: 'drop' leaves the prefix out of the request and off the reply", async () => {
    const client = new OpenAiBackend({ baseURL: server.url, assistantPrefix: 'drop', ...fast });
    const [completion] = await client.generate([{ ...user('<action>3</action>'), assistantPrefix: '<action>' }], sampling({ stop: ['</action>'] }));
    expect(completion.text).toBe('3</action>');
    expect(backend.calls.at(-1)!.requests?.[0].assistantPrefix).toBeUndefined();
  });

  it('maps sampling options onto the request and back (top_k off travels as -1)', async () => {
    const client = new OpenAiBackend({ baseURL: server.url, ...fast });
    await client.generate([user('x')], { maxNewTokens: 7, temperature: 0.7, topP: 0.9, topK: 0, stop: ['a', 'b'], seed: 42 });
    expect(backend.calls.at(-1)!.sampling).toEqual({ maxNewTokens: 7, temperature: 0.7, topP: 0.9, topK: 0, stop: ['a', 'b'], seed: 42 });
    await client.generate([user('x')], sampling({ topK: 5 }));
    expect(backend.calls.at(-1)!.sampling).toMatchObject({ topK: 5, temperature: 0 });
  });

  it('complete() sends raw prompts to /v1/completions', async () => {
    const client = new OpenAiBackend({ baseURL: server.url, ...fast });
    const completions = await client.complete(['one!two', 'three'], sampling({ stop: ['!'] }));
    expect(completions.map((completion) => completion.text)).toEqual(['one!', 'three']);
  });

  it('keeps at most `concurrency` requests in flight', async () => {
    backend.delayMs = 30;
    backend.maxInFlight = 0;
    try {
      const client = new OpenAiBackend({ baseURL: server.url, concurrency: 3, ...fast });
      const completions = await client.generate(Array.from({ length: 10 }, (_, i) => user(`r${i}`)), sampling());
      expect(completions.map((completion) => completion.text)).toEqual(Array.from({ length: 10 }, (_, i) => `r${i}`));
      expect(backend.maxInFlight).toBe(3);
    } finally {
      backend.delayMs = 0;
    }
  });

  it('accepts a bare host as baseURL and appends /v1', async () => {
    const bare = server.url.replace(/\/v1$/, '');
    expect(normaliseBaseURL(bare)).toBe(server.url);
    expect(normaliseBaseURL(`${bare}/`)).toBe(server.url);
    expect(normaliseBaseURL('http://h:1/api/v1/')).toBe('http://h:1/api/v1');
    const [completion] = await new OpenAiBackend({ baseURL: bare, ...fast }).generate([user('hi')], sampling());
    expect(completion.text).toBe('hi');
  });

  it('names the served models when the model is wrong, and the route when baseURL is', async () => {
    const wrongModel = await rejection(new OpenAiBackend({ baseURL: server.url, model: 'nope', ...fast }).generate([user('x')], sampling()));
    expect(wrongModel.code).toBe('ENDPOINT_MODEL');
    expect(wrongModel.message).toContain("does not serve model 'nope'. It serves: echo-1");
    const wrongPath = await rejection(new OpenAiBackend({ baseURL: `${server.url}/extra`, model: 'echo-1', ...fast }).generate([user('x')], sampling()));
    expect(wrongPath.code).toBe('ENDPOINT_NOT_FOUND');
    expect(wrongPath.message).toContain("usually '/v1'");
    await expect(OpenAiBackend.connect({ baseURL: server.url, model: 'nope', ...fast })).rejects.toThrow('It serves: echo-1');
  });

  it('passes server-side validation errors through with the field named', async () => {
    const client = new OpenAiBackend({ baseURL: server.url, ...fast });
    const error = await rejection(client.generate([user('x')], sampling({ temperature: -1 })));
    expect(error.code).toBe('ENDPOINT_REJECTED');
    expect(error.message).toContain('temperature must be a number ≥ 0');
  });
});

describe('OpenAiBackend failures', () => {
  it('retries a 500 with backoff and then succeeds; without retries it reports the backend failure', async () => {
    await withServer({}, async (server, backend) => {
      backend.failuresLeft = 1;
      const retrying = new OpenAiBackend({ baseURL: server.url, ...fast, maxRetries: 2 });
      const [completion] = await retrying.generate([user('after a failure')], sampling());
      expect(completion.text).toBe('after a failure');
      expect(backend.calls).toHaveLength(2);

      backend.failuresLeft = 1;
      const error = await rejection(new OpenAiBackend({ baseURL: server.url, ...fast }).generate([user('x')], sampling()));
      expect(error.code).toBe('ENDPOINT_SERVER_ERROR');
      expect(error.status).toBe(500);
      expect(error.message).toContain('simulated device failure');
    });
  });

  it('reports a timeout with the limit that was hit, and the server skips requests whose client gave up', async () => {
    await withServer({}, async (server, backend) => {
      backend.delayMs = 300;
      const client = new OpenAiBackend({ baseURL: server.url, model: 'echo-1', ...fast, timeoutMs: 50, maxRetries: 1 });
      const error = await rejection(client.generate([user('slow'), user('queued'), user('queued too')], sampling()));
      expect(error.code).toBe('ENDPOINT_TIMEOUT');
      expect(error.message).toContain('did not answer within 50 ms (tried 2 times)');
      // Six attempts reached the serialised backend's queue; only the first ran, the rest were dropped once it was free.
      await new Promise((resolve) => setTimeout(resolve, 400));
      expect(backend.calls).toHaveLength(1);
    });
  });

  it('reports a refused connection with the URL and how to start a server', async () => {
    const server = await startOpenAiServer({ backend: new EchoBackend() });
    await server.close();
    const error = await rejection(new OpenAiBackend({ baseURL: server.url, ...fast }).generate([user('x')], sampling()));
    expect(error.code).toBe('ENDPOINT_UNREACHABLE');
    expect(error.message).toContain(`${server.url}: connection refused`);
    expect(error.message).toContain('vllm serve');
  });

  it('names the API-key variable on 401', async () => {
    await withServer({ apiKey: 'secret' }, async (server) => {
      const variable = 'RLFT_TEST_OPENAI_KEY';
      delete process.env[variable];
      const error = await rejection(new OpenAiBackend({ baseURL: server.url, apiKeyEnv: variable, ...fast }).generate([user('x')], sampling()));
      expect(error.code).toBe('ENDPOINT_AUTH');
      expect(error.message).toContain('RLFT_TEST_OPENAI_KEY, which is not set');
      process.env[variable] = 'secret';
      try {
        const [completion] = await new OpenAiBackend({ baseURL: server.url, apiKeyEnv: variable, ...fast }).generate([user('ok')], sampling());
        expect(completion.text).toBe('ok');
      } finally {
        delete process.env[variable];
      }
    });
  });

  it('picks the only model, and asks for a choice among several', async () => {
    await withServer({ aliases: ['echo-large'] }, async (server) => {
      const error = await rejection(new OpenAiBackend({ baseURL: server.url, ...fast }).resolveModel());
      expect(error.message).toContain('serves several models (echo-1, echo-large)');
      const chosen = await OpenAiBackend.connect({ baseURL: server.url, model: 'echo-large', ...fast });
      expect(chosen.modelName).toBe('echo-large');
      expect((await chosen.generate([user('alias')], sampling()))[0].text).toBe('alias');
    });
  });
});

describe('startOpenAiServer over plain HTTP', () => {
  const post = (url: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(url, { method: 'POST', headers: { 'Content-Type': 'application/json', ...headers }, body: typeof body === 'string' ? body : JSON.stringify(body) });

  it('answers in OpenAI shapes, trimming the stop string and naming it as stop_reason', async () => {
    await withServer({}, async (server) => {
      const models = await (await fetch(`${server.url}/models`)).json();
      expect(models).toEqual({ object: 'list', data: [{ id: 'echo-1', object: 'model', created: 0, owned_by: 'rlft' }] });

      const chat = await post(`${server.url}/chat/completions`, { model: 'echo-1', messages: [{ role: 'user', content: [{ type: 'text', text: 'go</a>!' }] }], stop: '</a>', logprobs: true });
      expect(chat.status).toBe(200);
      const body = await chat.json();
      expect(body).toMatchObject({ object: 'chat.completion', model: 'echo-1', usage: { completion_tokens: 6, total_tokens: 6 } });
      expect(body.id).toMatch(/^chatcmpl-/);
      expect(body.choices).toEqual([
        {
          index: 0,
          message: { role: 'assistant', content: 'go' },
          finish_reason: 'stop',
          stop_reason: '</a>',
          logprobs: { content: Array.from({ length: 6 }, (_, i) => ({ token: '', logprob: -(i + 1) / 8, bytes: null, top_logprobs: [] })) },
        },
      ]);

      const prefill = await post(`${server.url}/chat/completions`, {
        messages: [{ role: 'user', content: 'Answer: 42' }, { role: 'assistant', content: 'Answer:' }],
        continue_final_message: true,
        add_generation_prompt: false,
      });
      expect((await prefill.json()).choices[0].message.content).toBe(' 42');

      const text = await post(`${server.url}/completions`, { prompt: ['ab|c', 'wxyz'], stop: ['|'], max_tokens: 3, logprobs: 0 });
      const textBody = await text.json();
      expect(textBody.object).toBe('text_completion');
      expect(textBody.choices).toEqual([
        { index: 0, text: 'ab', finish_reason: 'stop', stop_reason: '|', logprobs: { token_logprobs: [-0.125, -0.25, -0.375], top_logprobs: null } },
        { index: 1, text: 'wxy', finish_reason: 'length', stop_reason: null, logprobs: { token_logprobs: [-0.125, -0.25, -0.375], top_logprobs: null } },
      ]);
    });
  });

  it('refuses bad requests with the OpenAI error shape and the right status', async () => {
    await withServer({ maxBodyBytes: 1024 }, async (server) => {
      const expectError = async (response: Response, status: number, error: Record<string, unknown>) => {
        expect(response.status).toBe(status);
        const body = await response.json();
        expect(Object.keys(body.error).sort()).toEqual(['code', 'message', 'param', 'type']);
        expect(body.error).toMatchObject(error);
      };
      const chat = `${server.url}/chat/completions`;
      await expectError(await post(chat, '{"messages": ['), 400, { type: 'invalid_request_error', code: 'invalid_json', message: expect.stringContaining('not valid JSON') });
      await expectError(await post(chat, { messages: [] }), 400, { param: 'messages', message: expect.stringContaining('non-empty array') });
      await expectError(await post(chat, { messages: [{ role: 'tool', content: 'x' }] }), 400, { param: 'messages[0].role' });
      await expectError(await post(chat, { messages: [{ role: 'user', content: 'x' }], stream: true }), 400, { param: 'stream', code: 'unsupported_parameter', message: expect.stringContaining('streaming is not supported') });
      await expectError(await post(chat, { messages: [{ role: 'user', content: 'x' }], n: 2 }), 400, { param: 'n' });
      await expectError(await post(chat, { messages: [{ role: 'user', content: 'x' }], top_logprobs: 3 }), 400, { param: 'top_logprobs' });
      await expectError(await post(chat, { messages: [{ role: 'user', content: 'x' }], max_tokens: 0 }), 400, { param: 'max_tokens' });
      await expectError(await post(chat, { messages: [{ role: 'user', content: 'x' }], model: 'other' }), 404, { param: 'model', code: 'model_not_found', message: expect.stringContaining('serves: echo-1') });
      await expectError(await post(`${server.url}/completions`, { prompt: [1, 2, 3] }), 400, { param: 'prompt', message: expect.stringContaining('token-id prompts are not supported') });
      await expectError(await post(`${server.url}/embeddings`, {}), 404, { code: 'not_found' });
      const wrongMethod = await fetch(chat);
      expect(wrongMethod.headers.get('allow')).toBe('POST');
      await expectError(wrongMethod, 405, { code: 'method_not_allowed' });
      await expectError(await post(chat, { messages: [{ role: 'user', content: 'x'.repeat(4096) }] }), 413, { code: 'request_too_large', message: expect.stringContaining('1024 bytes') });
      // A body without Content-Length is counted as it arrives.
      const streamed = new ReadableStream({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`{"messages":[{"role":"user","content":"${'y'.repeat(4096)}"}]}`));
          controller.close();
        },
      });
      await expectError(await fetch(chat, { method: 'POST', body: streamed, duplex: 'half' } as RequestInit), 413, { code: 'request_too_large' });
      const tooLarge = await rejection(new OpenAiBackend({ baseURL: server.url, model: 'echo-1', ...fast }).generate([user('z'.repeat(4096))], sampling()));
      expect(tooLarge.status).toBe(413);
      expect(tooLarge.message).toContain('too large');
      // The server still answers afterwards.
      expect((await post(chat, { messages: [{ role: 'user', content: 'still up' }] })).status).toBe(200);
    });
  });

  it('refuses /v1/completions for a backend without complete()', async () => {
    const chatOnly: LanguageModelBackend = { kind: 'chat-only', modelName: 'c', generate: async (requests) => requests.map(() => ({ text: 'ok', finishReason: 'stop' as const })) };
    const server = await startOpenAiServer({ backend: chatOnly });
    try {
      const response = await post(`${server.url}/completions`, { prompt: 'x' });
      expect(response.status).toBe(400);
      expect((await response.json()).error.message).toContain("Backend 'chat-only' offers no raw-text completion");
      const chat = await (await post(`${server.url}/chat/completions`, { messages: [{ role: 'user', content: 'x' }] })).json();
      expect(chat.choices[0].message.content).toBe('ok');
      expect(chat.usage).toBeUndefined(); // the backend did not count tokens
    } finally {
      await server.close();
    }
  });

  it('serialises backend calls by default', async () => {
    await withServer({}, async (server, backend) => {
      backend.delayMs = 20;
      const client = new OpenAiBackend({ baseURL: server.url, concurrency: 4, ...fast });
      await client.generate([user('a'), user('b'), user('c'), user('d')], sampling());
      expect(backend.maxInFlight).toBe(1);
    });
  });
});

describe('stop strings', () => {
  it('the server trims the longest trailing stop; the client restores what was reported', () => {
    expect(splitTrailingStop('x</a>', ['a>', '</a>'])).toEqual({ text: 'x', matchedStop: '</a>' });
    expect(splitTrailingStop('x', ['</a>'])).toEqual({ text: 'x', matchedStop: null });
    expect(restoreStop('x', ['</a>', ';'], '</a>')).toBe('x</a>');
    expect(restoreStop('x', ['</a>', ';'], null)).toBe('x'); // end-of-sequence token
    expect(restoreStop('x', ['</a>'], undefined)).toBe('x</a>'); // server silent, one stop string asked for
    expect(restoreStop('x', ['</a>', ';'], undefined)).toBe('x'); // server silent, ambiguous
    expect(restoreStop('x</a>', ['</a>'], '</a>')).toBe('x</a>'); // server kept it already
  });
});

describe('OpenAiBackend options', () => {
  it('refuses unknown or out-of-range options, naming them', () => {
    expect(() => new OpenAiBackend({ baseURL: 'http://127.0.0.1:1/v1', concurrency: 0, mode: 'stream' as 'chat', temprature: 1 } as never)).toThrow(
      /unknown option 'temprature'.*mode must be 'chat' or 'completions'.*concurrency must be positive/,
    );
    expect(() => new OpenAiBackend({ baseURL: 'localhost:8000' })).toThrow("baseURL 'localhost:8000' is not an http(s) URL");
    expect(() => new OpenAiBackend({ baseURL: '127.0.0.1:8000' })).toThrow("baseURL '127.0.0.1:8000' is not an http(s) URL");
  });
});

describe('retry backoff', () => {
  it('doubles from the base delay up to the cap, less up to 25 % jitter', () => {
    const policy = { maxRetries: 5, baseDelayMs: 100, maxDelayMs: 350 };
    expect([0, 1, 2, 3].map((retry) => backoffDelayMs(retry, policy, () => 0))).toEqual([100, 200, 350, 350]);
    expect(backoffDelayMs(1, policy, () => 1)).toBe(150);
  });
});
