/**
 * Errors written for the person who made the mistake: each says what was wrong and what is
 * allowed. `code` is stable for programs (the CLI maps errors to messages and exit codes).
 */
export class RlftError extends Error {
  readonly code: string;
  constructor(code: string, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
    this.code = code;
  }
}

/** An action outside the action space (wrong shape, out of range, not finite, wrong type). */
export class InvalidActionError extends RlftError {
  constructor(envId: string, spaceDescription: string, valueDescription: string, reason: string) {
    super('INVALID_ACTION', `Invalid action ${valueDescription} for ${envId}: ${reason}. The action space is ${spaceDescription}.`);
  }
}

/** step() before reset(), or after the episode ended without a reset. */
export class ResetNeededError extends RlftError {
  constructor(envId: string, reason: string) {
    super('RESET_NEEDED', `${envId}: ${reason}. Call reset() first.`);
  }
}

export class UnknownEnvError extends RlftError {
  readonly suggestions: readonly string[];
  constructor(id: string, suggestions: readonly string[], detail = '') {
    const hint = suggestions.length ? ` Did you mean: ${suggestions.join(', ')}?` : '';
    super('UNKNOWN_ENV', `No environment '${id}' is registered.${detail}${hint} Run \`rlft envs list\` to see all.`);
    this.suggestions = suggestions;
  }
}

/** Bad keyword arguments for an environment, algorithm or policy. */
export class InvalidKwargsError extends RlftError {
  constructor(target: string, problems: readonly string[], allowed: readonly string[]) {
    const allowedText = allowed.length ? ` Allowed: ${allowed.join(', ')}.` : ' It takes no options.';
    super('INVALID_KWARGS', `Invalid options for ${target}: ${problems.join('; ')}.${allowedText}`);
  }
}

export class RegistrationError extends RlftError {
  constructor(message: string) {
    super('REGISTRATION', message);
  }
}

export class PluginLoadError extends RlftError {
  readonly plugin: string;
  constructor(plugin: string, reason: string, options?: ErrorOptions) {
    super('PLUGIN_LOAD', `Plugin '${plugin}' failed to load: ${reason}`, options);
    this.plugin = plugin;
  }
}

/** A capability an environment or policy does not offer (a render mode, state access, …). */
export class UnsupportedError extends RlftError {
  constructor(message: string) {
    super('UNSUPPORTED', message);
  }
}
