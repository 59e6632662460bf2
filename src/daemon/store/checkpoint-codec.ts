/**
 * Checkpoint file encoding: a JSON header followed by one binary section holding the bytes of
 * every typed array in the payload, so a payload of large Float32Arrays costs a memcpy instead of
 * a JSON round trip, and restores bit for bit (NaN payloads, -0 and infinities included).
 *
 *   bytes 0..7    magic "PLSTCKPT"
 *   bytes 8..11   uint32 LE  format version (1)
 *   bytes 12..15  uint32 LE  header length H
 *   bytes 16..    H bytes of UTF-8 JSON (CheckpointFileHeader), zero padding to a multiple of 8
 *   then          the binary section: each typed array's bytes at an 8-aligned offset
 *
 * In the header's `payload`, a typed array is `{"$typed":"Float32Array","offset":o,"length":n}`
 * (offset into the binary section), a number JSON cannot carry is `{"$number":"NaN"|"Infinity"|
 * "-Infinity"|"-0"}`, `undefined` is `{"$undefined":true}`, and an object key that starts with `$`
 * gets one more `$` so payload keys can never be mistaken for markers. Typed arrays are stored in
 * the machine's byte order (recorded in the header). Maps, Sets, functions, symbols, bigints and
 * cycles are refused with the path of the offending value.
 */
import { endianness } from 'node:os';
import { PlasticdError } from '../../util/errors.ts';
import type { CheckpointFileHeader } from '../../config/checkpoint-manifest.ts';
import { CHECKPOINT_FORMAT_VERSION, CheckpointFileHeaderSchema, validateStored } from '../../config/checkpoint-manifest.ts';
import type { ByteSink } from './atomic-file.ts';

const MAGIC = Buffer.from('PLSTCKPT', 'latin1');
const PREAMBLE_BYTES = 16;
const LITTLE_ENDIAN = endianness() === 'LE';

type TypedArray =
  | Int8Array
  | Uint8Array
  | Uint8ClampedArray
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | Float32Array
  | Float64Array
  | BigInt64Array
  | BigUint64Array;

const TYPED_ARRAYS = {
  Int8Array,
  Uint8Array,
  Uint8ClampedArray,
  Int16Array,
  Uint16Array,
  Int32Array,
  Uint32Array,
  Float32Array,
  Float64Array,
  BigInt64Array,
  BigUint64Array,
} as const;
type TypedArrayName = keyof typeof TYPED_ARRAYS;

export interface CheckpointMeta {
  agent: string;
  id: string;
  step: number;
  eventSeq: number;
  time: number;
}

/** Streams the checkpoint file for `payload` into `sink`. */
export async function encodeCheckpoint(payload: unknown, meta: CheckpointMeta, sink: ByteSink): Promise<void> {
  const arrays: TypedArray[] = [];
  let binaryBytes = 0;
  const encodeTyped = (array: TypedArray, path: string): object => {
    binaryBytes = align8(binaryBytes);
    const marker = { $typed: typedArrayName(array, path), offset: binaryBytes, length: array.length };
    arrays.push(array);
    binaryBytes += array.byteLength;
    return marker;
  };
  const header: CheckpointFileHeader = {
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    ...meta,
    littleEndian: LITTLE_ENDIAN,
    binaryBytes: 0,
    payload: encodeValue(payload, encodeTyped, new Set(), '$'),
  };
  header.binaryBytes = binaryBytes;
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const preamble = Buffer.alloc(PREAMBLE_BYTES);
  MAGIC.copy(preamble, 0);
  preamble.writeUInt32LE(CHECKPOINT_FORMAT_VERSION, 8);
  preamble.writeUInt32LE(headerBytes.byteLength, 12);
  await sink.write(preamble);
  await sink.write(headerBytes);
  await sink.write(new Uint8Array(align8(PREAMBLE_BYTES + headerBytes.byteLength) - PREAMBLE_BYTES - headerBytes.byteLength));
  let written = 0;
  for (const array of arrays) {
    const padding = align8(written) - written;
    if (padding > 0) await sink.write(new Uint8Array(padding));
    await sink.write(new Uint8Array(array.buffer, array.byteOffset, array.byteLength));
    written = align8(written) + array.byteLength;
  }
}

/** Decodes a whole checkpoint file; `file` names it in errors. Typed arrays are fresh copies. */
export function decodeCheckpoint(bytes: Uint8Array, file: string): { header: CheckpointFileHeader; payload: unknown } {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buffer.byteLength < PREAMBLE_BYTES || !buffer.subarray(0, 8).equals(MAGIC)) {
    throw corrupt(file, 'it does not start with the checkpoint magic bytes');
  }
  const version = buffer.readUInt32LE(8);
  if (version !== CHECKPOINT_FORMAT_VERSION) {
    throw corrupt(file, `format version ${version} is not supported (expected ${CHECKPOINT_FORMAT_VERSION})`);
  }
  const headerLength = buffer.readUInt32LE(12);
  if (PREAMBLE_BYTES + headerLength > buffer.byteLength) throw corrupt(file, 'the header runs past the end of the file');
  let rawHeader: unknown;
  try {
    rawHeader = JSON.parse(buffer.toString('utf8', PREAMBLE_BYTES, PREAMBLE_BYTES + headerLength));
  } catch (error) {
    throw corrupt(file, `the header is not valid JSON (${(error as Error).message})`);
  }
  const header = validateStored(CheckpointFileHeaderSchema, rawHeader, file, 'checkpoint header');
  if (header.littleEndian !== LITTLE_ENDIAN) {
    throw corrupt(file, `it was written on a ${header.littleEndian ? 'little' : 'big'}-endian machine`);
  }
  const binaryStart = align8(PREAMBLE_BYTES + headerLength);
  if (binaryStart + header.binaryBytes !== buffer.byteLength) {
    throw corrupt(file, `expected ${binaryStart + header.binaryBytes} bytes, found ${buffer.byteLength}`);
  }
  const decodeTyped = (name: string, offset: number, length: number, path: string): TypedArray => {
    const constructor = TYPED_ARRAYS[name as TypedArrayName];
    if (constructor === undefined) throw corrupt(file, `unknown typed array ${name} at ${path}`);
    const byteLength = length * constructor.BYTES_PER_ELEMENT;
    if (!Number.isInteger(offset) || offset < 0 || offset + byteLength > header.binaryBytes) {
      throw corrupt(file, `typed array at ${path} lies outside the binary section`);
    }
    const start = buffer.byteOffset + binaryStart + offset;
    return new constructor(buffer.buffer.slice(start, start + byteLength) as ArrayBuffer);
  };
  return { header, payload: decodeValue(header.payload, decodeTyped, '$', file) };
}

function encodeValue(value: unknown, encodeTyped: (array: TypedArray, path: string) => object, open: Set<object>, path: string): unknown {
  switch (typeof value) {
    case 'number':
      if (Number.isFinite(value) && !Object.is(value, -0)) return value;
      return { $number: Object.is(value, -0) ? '-0' : String(value) };
    case 'string':
    case 'boolean':
      return value;
    case 'undefined':
      return { $undefined: true };
    case 'object':
      break;
    default:
      throw unencodable(path, typeof value);
  }
  if (value === null) return null;
  if (ArrayBuffer.isView(value)) {
    if (value instanceof DataView) throw unencodable(path, 'DataView');
    return encodeTyped(value as TypedArray, path);
  }
  if (open.has(value)) throw unencodable(path, 'a cycle');
  open.add(value);
  let encoded: unknown;
  if (Array.isArray(value)) {
    encoded = value.map((item, index) => encodeValue(item, encodeTyped, open, `${path}[${index}]`));
  } else {
    const prototype = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw unencodable(path, `an instance of ${prototype?.constructor?.name ?? 'a class'}`);
    }
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      out[key.startsWith('$') ? `$${key}` : key] = encodeValue(item, encodeTyped, open, `${path}.${key}`);
    }
    encoded = out;
  }
  open.delete(value);
  return encoded;
}

type DecodeTyped = (name: string, offset: number, length: number, path: string) => TypedArray;

function decodeValue(value: unknown, decodeTyped: DecodeTyped, path: string, file: string): unknown {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map((item, index) => decodeValue(item, decodeTyped, `${path}[${index}]`, file));
  const record = value as Record<string, unknown>;
  if ('$typed' in record) {
    const { $typed, offset, length } = record;
    if (typeof $typed !== 'string' || typeof offset !== 'number' || typeof length !== 'number' || !Number.isInteger(length)) {
      throw corrupt(file, `malformed typed array marker at ${path}`);
    }
    return decodeTyped($typed, offset, length, path);
  }
  if ('$number' in record) {
    const number = { NaN: Number.NaN, Infinity: Infinity, '-Infinity': -Infinity, '-0': -0 }[String(record.$number)];
    if (number === undefined) throw corrupt(file, `malformed number marker at ${path}`);
    return number;
  }
  if ('$undefined' in record) return undefined;
  const out: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(record)) {
    if (key.startsWith('$') && !key.startsWith('$$')) throw corrupt(file, `unknown marker ${key} at ${path}`);
    const name = key.startsWith('$') ? key.slice(1) : key;
    out[name] = decodeValue(item, decodeTyped, `${path}.${name}`, file);
  }
  return out;
}

/** By instanceof, so a Node Buffer is stored (and restored) as a Uint8Array. */
function typedArrayName(array: TypedArray, path: string): TypedArrayName {
  for (const [name, constructor] of Object.entries(TYPED_ARRAYS)) {
    if (array instanceof constructor) return name as TypedArrayName;
  }
  throw unencodable(path, `a ${array.constructor.name}`);
}

function align8(offset: number): number {
  return Math.ceil(offset / 8) * 8;
}

function unencodable(path: string, what: string): PlasticdError {
  return new PlasticdError(
    'checkpoint-unencodable',
    `checkpoint payload at ${path} is ${what}; a payload may hold only plain objects, arrays, strings, numbers, booleans, null, undefined and typed arrays`,
  );
}

function corrupt(file: string, why: string): PlasticdError {
  return new PlasticdError('checkpoint-corrupt', `${file}: not a readable checkpoint: ${why}`, { file });
}
