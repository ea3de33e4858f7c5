/**
 * The compact binary payload inside link tokens: a sequence of fields with no names and no
 * separators, so a token is barely longer than the values it carries.
 *
 * - non-negative integers are LEB128 varints;
 * - text is a varint header `length × 4 + mode` followed by the characters: packed at 6 bits each
 *   when every character is in one of two 64-symbol alphabets (normalized addresses, ids, topics
 *   always are), else UTF-8 bytes. Packing saves a quarter of the bytes of an address.
 *
 * Readers throw {@link MalformedPayload} on anything they did not write; callers turn it into
 * "not a valid token".
 */

/** What a normalized address can hold: lower-case letters, digits and RFC 5322 `atext`, `.`, `@`. */
const LOWER = "abcdefghijklmnopqrstuvwxyz0123456789.-_@+!#$%&'*/=?^`{|}~";
/** What order ids usually hold: letters of both cases, digits, `-`, `.`. */
const MIXED = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.';
/** Text modes, by the 2 low bits of a text header. Mode 3 is unused (malformed). */
const ALPHABETS: ReadonlyArray<string | null> = [null, LOWER, MIXED];
const CODES = ALPHABETS.map((alphabet) => new Map([...(alphabet ?? '')].map((char, code) => [char, code])));

export class MalformedPayload extends Error {
  override readonly name = 'MalformedPayload';
}

/** Appends fields to a payload. */
export class PayloadWriter {
  private readonly parts: number[] = [];

  /** A non-negative safe integer, as a varint. */
  uint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`uint out of range: ${value}`);
    let rest = value;
    while (rest >= 0x80) {
      this.parts.push((rest % 0x80) | 0x80);
      rest = Math.floor(rest / 0x80);
    }
    this.parts.push(rest);
    return this;
  }

  /** Any string (lone surrogates are not preserved by UTF-8; callers pass real text). */
  text(value: string): this {
    const chars = [...value];
    const mode = ALPHABETS.findIndex((alphabet, m) => alphabet !== null && chars.every((c) => CODES[m]?.has(c)));
    if (mode < 0) {
      const bytes = Buffer.from(value, 'utf8');
      this.uint(bytes.length * 4);
      this.parts.push(...bytes);
      return this;
    }
    const codes = CODES[mode] as Map<string, number>;
    this.uint(chars.length * 4 + mode);
    this.parts.push(...pack(chars.map((c) => codes.get(c) as number)));
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.parts);
  }
}

/** Reads fields in the order they were written; {@link end} checks nothing is left over. */
export class PayloadReader {
  private at = 0;

  constructor(private readonly bytes: Uint8Array) {}

  uint(): number {
    let value = 0;
    for (let scale = 1; ; scale *= 0x80) {
      const byte = this.byte();
      value += (byte & 0x7f) * scale;
      if (!Number.isSafeInteger(value)) throw new MalformedPayload('varint too large');
      if ((byte & 0x80) === 0) return value;
    }
  }

  text(): string {
    const header = this.uint();
    const mode = header % 4;
    const length = (header - mode) / 4;
    if (mode === 0) return decodeUtf8(this.take(length));
    const alphabet = ALPHABETS[mode];
    if (!alphabet) throw new MalformedPayload(`unknown text mode ${mode}`);
    return unpack(this.take(Math.ceil((length * 6) / 8)), length).map((code) => {
      const char = alphabet[code];
      if (char === undefined) throw new MalformedPayload('code outside the alphabet');
      return char;
    }).join('');
  }

  /** Throws unless every byte was read. */
  end(): void {
    if (this.at !== this.bytes.length) throw new MalformedPayload('trailing bytes');
  }

  private byte(): number {
    const byte = this.bytes[this.at];
    if (byte === undefined) throw new MalformedPayload('payload ends early');
    this.at += 1;
    return byte;
  }

  private take(count: number): Uint8Array {
    if (this.at + count > this.bytes.length) throw new MalformedPayload('payload ends early');
    const slice = this.bytes.subarray(this.at, this.at + count);
    this.at += count;
    return slice;
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new MalformedPayload('invalid UTF-8');
  }
}

/** 6-bit codes → bytes, most significant bits first, the last byte zero-padded. */
function pack(codes: number[]): number[] {
  const out: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const code of codes) {
    acc = (acc << 6) | code;
    bits += 6;
    while (bits >= 8) {
      bits -= 8;
      out.push((acc >> bits) & 0xff);
    }
    acc &= (1 << bits) - 1;
  }
  if (bits > 0) out.push((acc << (8 - bits)) & 0xff);
  return out;
}

/** Bytes → `count` 6-bit codes; padding bits must be zero, as {@link pack} writes them. */
function unpack(bytes: Uint8Array, count: number): number[] {
  const codes: number[] = [];
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = (acc << 8) | byte;
    bits += 8;
    while (bits >= 6 && codes.length < count) {
      bits -= 6;
      codes.push((acc >> bits) & 0x3f);
    }
    acc &= (1 << bits) - 1;
  }
  if (acc !== 0) throw new MalformedPayload('non-zero padding');
  return codes;
}
