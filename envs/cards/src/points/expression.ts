import { Rational } from './rational.js';

/**
 * Arithmetic formulas over whole numbers: `+ - * / ( )` with the usual precedence, also the
 * typographic × ÷ − (and the en dash), spaces anywhere. Every input yields a value or a
 * reason; nothing here throws, whatever the text (model output is untrusted).
 */

export type Operator = '+' | '-' | '*' | '/';
export type Token = { kind: 'number'; value: bigint; text: string } | { kind: 'operator'; op: Operator } | { kind: 'open' } | { kind: 'close' };

/** Longer formulas are refused: no 24-points answer needs them and they cost time. */
export const MAX_FORMULA_LENGTH = 1000;
/** Deeper parenthesis nesting is refused (keeps the recursive parser's stack small). */
export const MAX_NESTING_DEPTH = 100;
/** Longer literals are refused (BigInt would accept them, no card is that large). */
export const MAX_NUMBER_DIGITS = 100;

export type FailureKind =
  | 'empty'
  | 'too-long'
  | 'bad-character'
  | 'not-whole-number'
  | 'number-too-long'
  | 'too-deep'
  | 'incomplete'
  | 'syntax'
  | 'division-by-zero';

export type TokenizeResult = { ok: true; tokens: Token[] } | { ok: false; kind: FailureKind; reason: string };
export type EvaluateResult =
  | { ok: true; value: Rational; numbers: bigint[] }
  | { ok: false; kind: FailureKind; reason: string; numbers: bigint[] };

const OPERATOR_CHARS: Record<string, Operator> = {
  '+': '+',
  '-': '-',
  '−': '-',
  '–': '-',
  '*': '*',
  '×': '*',
  '·': '*',
  '/': '/',
  '÷': '/',
};

function isDigit(ch: string): boolean {
  return ch >= '0' && ch <= '9';
}

function isSpace(ch: string): boolean {
  return ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || ch === '\u00a0';
}

export function tokenize(text: string): TokenizeResult {
  if (text.length > MAX_FORMULA_LENGTH) {
    return { ok: false, kind: 'too-long', reason: `the formula has ${text.length} characters; at most ${MAX_FORMULA_LENGTH} are allowed` };
  }
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const ch = text[i];
    if (isSpace(ch)) {
      i++;
    } else if (isDigit(ch)) {
      let end = i + 1;
      while (end < text.length && isDigit(text[end])) end++;
      if (text[end] === '.' || text[end] === ',') {
        return { ok: false, kind: 'not-whole-number', reason: `only whole numbers are allowed, found '${text.slice(i, end + 1)}…'` };
      }
      const digits = text.slice(i, end);
      if (digits.length > MAX_NUMBER_DIGITS) {
        return { ok: false, kind: 'number-too-long', reason: `a number has ${digits.length} digits; at most ${MAX_NUMBER_DIGITS} are allowed` };
      }
      tokens.push({ kind: 'number', value: BigInt(digits), text: digits });
      i = end;
    } else if (ch === '(' || ch === '[') {
      tokens.push({ kind: 'open' });
      i++;
    } else if (ch === ')' || ch === ']') {
      tokens.push({ kind: 'close' });
      i++;
    } else if (ch in OPERATOR_CHARS) {
      tokens.push({ kind: 'operator', op: OPERATOR_CHARS[ch] });
      i++;
    } else {
      const shown = String.fromCodePoint(text.codePointAt(i) ?? 0xfffd);
      return { ok: false, kind: 'bad-character', reason: `'${shown}' is not allowed; use numbers, + - * / × ÷ and parentheses` };
    }
  }
  if (tokens.length === 0) return { ok: false, kind: 'empty', reason: 'the formula is empty' };
  return { ok: true, tokens };
}

/** The numbers a token list mentions, in order. */
export function numbersIn(tokens: readonly Token[]): bigint[] {
  const out: bigint[] = [];
  for (const token of tokens) if (token.kind === 'number') out.push(token.value);
  return out;
}

class Failure {
  constructor(
    readonly kind: FailureKind,
    readonly reason: string,
  ) {}
}

/**
 * Recursive descent: expression := term (('+'|'-') term)*, term := factor (('*'|'/') factor)*,
 * factor := number | '(' expression ')'. Unary signs are refused: every card is used as the
 * positive number it shows. Failures are returned as values (a `Failure`) so that nothing
 * escapes as an exception.
 */
class Parser {
  private position = 0;
  private depth = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  parseAll(): Rational | Failure {
    const value = this.expression();
    if (value instanceof Failure) return value;
    if (this.position < this.tokens.length) {
      const token = this.tokens[this.position];
      if (token.kind === 'close') return new Failure('syntax', 'a closing parenthesis has no matching opening one');
      return new Failure('syntax', `unexpected ${describe(token)} after a complete formula`);
    }
    return value;
  }

  private expression(): Rational | Failure {
    let left = this.term();
    if (left instanceof Failure) return left;
    for (;;) {
      const token = this.tokens[this.position];
      if (token?.kind !== 'operator' || (token.op !== '+' && token.op !== '-')) return left;
      this.position++;
      const right = this.term();
      if (right instanceof Failure) return right;
      left = token.op === '+' ? left.plus(right) : left.minus(right);
    }
  }

  private term(): Rational | Failure {
    let left = this.factor();
    if (left instanceof Failure) return left;
    for (;;) {
      const token = this.tokens[this.position];
      if (token?.kind !== 'operator' || (token.op !== '*' && token.op !== '/')) return left;
      this.position++;
      const right = this.factor();
      if (right instanceof Failure) return right;
      if (token.op === '*') {
        left = left.times(right);
      } else {
        const quotient = left.dividedBy(right);
        if (quotient === undefined) return new Failure('division-by-zero', `it divides ${left.toString()} by zero`);
        left = quotient;
      }
    }
  }

  private factor(): Rational | Failure {
    const token = this.tokens[this.position];
    if (token === undefined) return new Failure('incomplete', 'the formula ends where a number or "(" is expected');
    if (token.kind === 'number') {
      this.position++;
      return Rational.of(token.value);
    }
    if (token.kind === 'open') {
      if (this.depth >= MAX_NESTING_DEPTH) return new Failure('too-deep', `parentheses are nested more than ${MAX_NESTING_DEPTH} deep`);
      this.position++;
      this.depth++;
      const inner = this.expression();
      this.depth--;
      if (inner instanceof Failure) return inner;
      const close = this.tokens[this.position];
      if (close === undefined) return new Failure('incomplete', 'a parenthesis is opened but never closed');
      if (close.kind !== 'close') return new Failure('syntax', `expected ")" but found ${describe(close)}`);
      this.position++;
      return inner;
    }
    if (token.kind === 'operator') {
      return new Failure('syntax', `"${token.op}" stands where a number is expected (signs before numbers are not allowed)`);
    }
    return new Failure('syntax', '")" stands where a number is expected');
  }
}

function describe(token: Token): string {
  if (token.kind === 'number') return `the number ${token.text}`;
  if (token.kind === 'operator') return `"${token.op}"`;
  return token.kind === 'open' ? '"("' : '")"';
}

export function evaluateTokens(tokens: readonly Token[]): EvaluateResult {
  const numbers = numbersIn(tokens);
  const result = new Parser(tokens).parseAll();
  if (result instanceof Failure) return { ok: false, kind: result.kind, reason: result.reason, numbers };
  return { ok: true, value: result, numbers };
}

/** Tokenize and evaluate a formula; never throws. */
export function evaluateFormula(text: unknown): EvaluateResult {
  if (typeof text !== 'string') return { ok: false, kind: 'empty', reason: 'the formula is not text', numbers: [] };
  const tokenized = tokenize(text);
  if (!tokenized.ok) return { ok: false, kind: tokenized.kind, reason: tokenized.reason, numbers: [] };
  return evaluateTokens(tokenized.tokens);
}

/** Each token as text, numbers without leading zeros: `['(', '7', '-', '8', ')']`. */
export function tokenTexts(tokens: readonly Token[]): string[] {
  return tokens.map((token) => {
    if (token.kind === 'number') return token.value.toString();
    if (token.kind === 'operator') return token.op;
    return token.kind === 'open' ? '(' : ')';
  });
}

/** Tokens written back as a compact string (`(7-8/8)*4`), the form formulas are compared in. */
export function tokensToString(tokens: readonly Token[]): string {
  return tokenTexts(tokens).join('');
}
