/**
 * Exact rational numbers over BigInt, always normalised: the denominator is positive and
 * shares no factor with the numerator (so equal values have equal fields). Division by zero
 * is reported by `dividedBy` returning undefined, so callers turn it into a reason instead
 * of an exception.
 */
export class Rational {
  readonly numerator: bigint;
  readonly denominator: bigint;

  private constructor(numerator: bigint, denominator: bigint) {
    this.numerator = numerator;
    this.denominator = denominator;
  }

  static readonly ZERO = new Rational(0n, 1n);

  static of(numerator: bigint | number, denominator: bigint | number = 1n): Rational {
    const n = BigInt(numerator);
    const d = BigInt(denominator);
    if (d === 0n) throw new RangeError(`Rational.of: the denominator must not be zero (numerator ${n})`);
    return Rational.normalised(n, d);
  }

  private static normalised(n: bigint, d: bigint): Rational {
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n < 0n ? -n : n, d);
    return g === 1n ? new Rational(n, d) : new Rational(n / g, d / g);
  }

  plus(other: Rational): Rational {
    return Rational.normalised(this.numerator * other.denominator + other.numerator * this.denominator, this.denominator * other.denominator);
  }

  minus(other: Rational): Rational {
    return Rational.normalised(this.numerator * other.denominator - other.numerator * this.denominator, this.denominator * other.denominator);
  }

  times(other: Rational): Rational {
    return Rational.normalised(this.numerator * other.numerator, this.denominator * other.denominator);
  }

  /** `this / other`, or undefined when `other` is zero. */
  dividedBy(other: Rational): Rational | undefined {
    if (other.numerator === 0n) return undefined;
    return Rational.normalised(this.numerator * other.denominator, this.denominator * other.numerator);
  }

  isZero(): boolean {
    return this.numerator === 0n;
  }

  equals(other: Rational): boolean {
    return this.numerator === other.numerator && this.denominator === other.denominator;
  }

  toNumber(): number {
    return Number(this.numerator) / Number(this.denominator);
  }

  /** `7`, `-3/4`. */
  toString(): string {
    return this.denominator === 1n ? String(this.numerator) : `${this.numerator}/${this.denominator}`;
  }
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a === 0n ? 1n : a;
}
