/**
 * The compact binary payload inside link tokens: a sequence of fields with no names and no
 * separators, so a token is barely longer than the values it carries.
 *
 * - non-negative integers are LEB128 varints;
 * - text is a varint header `length × 4 + mode` followed by the characters: packed at 6 bits each
 *   when every character is in one of two alphabets of at most 64 symbols (normalized addresses,
 *   topics and most ids are), else UTF-8 bytes. Packing saves a quarter of the bytes of an address.
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
/** Per mode, the 6-bit code of each ASCII character, -1 when it is not in the alphabet. */
const CODES = ALPHABETS.map((alphabet) => {
  const table = new Int8Array(128).fill(-1);
  for (let code = 0; code < (alphabet ?? '').length; code += 1) table[(alphabet as string).charCodeAt(code)] = code;
  return table;
});

export class MalformedPayload extends Error {
  override readonly name = 'MalformedPayload';
}

/** The first mode whose alphabet holds every character of `value`, or 0 (UTF-8). */
function packableMode(value: string): number {
  let modes = 0b110; // bit m set: mode m still possible
  for (let i = 0; i < value.length && modes !== 0; i += 1) {
    const char = value.charCodeAt(i);
    if (char >= 128) return 0;
    if ((CODES[1] as Int8Array)[char] === -1) modes &= ~0b010;
    if ((CODES[2] as Int8Array)[char] === -1) modes &= ~0b100;
  }
  return modes & 0b010 ? 1 : modes & 0b100 ? 2 : 0;
}

/** Appends fields to a payload (links are built per email: this is on the send path, kept cheap). */
export class PayloadWriter {
  private bytes = Buffer.allocUnsafe(128);
  private length = 0;

  /** A non-negative safe integer, as a varint. */
  uint(value: number): this {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`uint out of range: ${value}`);
    this.reserve(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
    return this;
  }

  /** Any string (lone surrogates are not preserved by UTF-8; callers pass real text). */
  text(value: string): this {
    const mode = packableMode(value);
    if (mode === 0) {
      const size = Buffer.byteLength(value, 'utf8');
      this.uint(size * 4);
      this.reserve(size);
      this.length += this.bytes.write(value, this.length, 'utf8');
      return this;
    }
    this.uint(value.length * 4 + mode);
    this.reserve(Math.ceil((value.length * 6) / 8));
    this.length = pack(value, CODES[mode] as Int8Array, this.bytes, this.length);
    return this;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.bytes.subarray(0, this.length));
  }

  private reserve(count: number): void {
    if (this.length + count <= this.bytes.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.length + count));
    this.bytes.copy(grown, 0, 0, this.length);
    this.bytes = grown;
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
    return unpack(this.take(Math.ceil((length * 6) / 8)), length, alphabet);
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

/** Writes the 6-bit codes of `value` into `out` from `at`, most significant bits first, the last byte zero-padded; returns the new end. */
function pack(value: string, codes: Int8Array, out: Buffer, at: number): number {
  let end = at;
  let acc = 0;
  let bits = 0;
  for (let i = 0; i < value.length; i += 1) {
    acc = ((acc << 6) | (codes[value.charCodeAt(i)] as number)) & 0xfff;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[end++] = (acc >> bits) & 0xff;
    }
  }
  if (bits > 0) out[end++] = (acc << (8 - bits)) & 0xff;
  return end;
}

/** Bytes → `count` characters of `alphabet`; padding bits must be zero, as {@link pack} writes them. */
function unpack(bytes: Uint8Array, count: number, alphabet: string): string {
  let text = '';
  let acc = 0;
  let bits = 0;
  for (const byte of bytes) {
    acc = ((acc << 8) | byte) & 0xffff;
    bits += 8;
    while (bits >= 6 && text.length < count) {
      bits -= 6;
      const char = alphabet[(acc >> bits) & 0x3f];
      if (char === undefined) throw new MalformedPayload('code outside the alphabet');
      text += char;
    }
  }
  if ((acc & ((1 << bits) - 1)) !== 0) throw new MalformedPayload('non-zero padding');
  return text;
}
