export { OpenAiBackend, normaliseBaseURL, type OpenAiBackendOptions } from './openai-backend.js';
export { startOpenAiServer, type OpenAiServer, type OpenAiServerOptions } from './openai-server.js';
export { OpenAiEndpointError, type OpenAiEndpointErrorCode } from './openai-errors.js';
export { renderPlainPrompt } from './plain-prompt.js';
