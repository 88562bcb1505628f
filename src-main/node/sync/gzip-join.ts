// One gzip member built from pieces compressed independently (the technique of zlib's gzjoin).
//
// Why: a rebuilt upload.tar.gz should cost transfer, not compression, so each tar member is
// compressed once and its compressed bytes are reused. A gzip FILE may hold several members, and GNU
// tar, bsdtar, zlib's gunzip and Python's `tarfile.open(name)` read them as one stream; but Python's
// stream mode (`tarfile.open(fileobj=f, mode='r|gz')`) stops after the first member (checked with
// Python 3.11), and we do not know which extractor the service uses. So the pieces are joined into ONE
// gzip member: each piece is a raw deflate stream ended by a sync flush (byte-aligned, no final-block
// bit), so pieces can be laid end to end; an empty final block closes the stream, and the trailer's
// CRC-32 is combined from the pieces' CRCs without touching their data. Any gzip reader sees an
// ordinary single-member file.
import { constants, crc32, deflateRaw, deflateRawSync } from 'node:zlib';

export interface DeflatedPiece {
  /** Raw deflate data ending in a sync flush (no final block). */
  data: Buffer;
  /** Length of the uncompressed bytes. */
  rawLength: number;
  /** CRC-32 of the uncompressed bytes. */
  crc: number;
}

/** gzip header: deflate, no name, mtime 0 (reproducible), OS unknown. */
export const GZIP_HEADER: Buffer = Buffer.from([0x1f, 0x8b, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xff]);
/** An empty fixed-Huffman block with the final bit set: ends the deflate stream. */
export const FINAL_BLOCK: Buffer = Buffer.from([0x03, 0x00]);

/** Compresses raw bytes into a joinable piece (zlib's thread pool; level 0 stores). */
export function deflatePiece(raw: Buffer, level: number): Promise<DeflatedPiece> {
  return new Promise((resolve, reject) => {
    deflateRaw(raw, { level, finishFlush: constants.Z_SYNC_FLUSH }, (err, data) => {
      if (err) reject(err);
      else resolve({ data, rawLength: raw.length, crc: crc32(raw) });
    });
  });
}

/** The same on this thread: cheaper than a trip to the thread pool for a few kilobytes. */
export function deflatePieceSync(raw: Buffer, level: number): DeflatedPiece {
  return { data: deflateRawSync(raw, { level, finishFlush: constants.Z_SYNC_FLUSH }), rawLength: raw.length, crc: crc32(raw) };
}

/** The 8-byte gzip trailer: CRC-32 and length (mod 2^32) of all uncompressed bytes, little-endian. */
export function gzipTrailer(crc: number, rawLength: number): Buffer {
  const t = Buffer.alloc(8);
  t.writeUInt32LE(crc >>> 0, 0);
  t.writeUInt32LE(rawLength % 0x1_0000_0000, 4);
  return t;
}

function gf2Times(mat: Uint32Array, vec: number): number {
  let sum = 0;
  let v = vec >>> 0;
  for (let i = 0; v !== 0; i++, v >>>= 1) if (v & 1) sum ^= mat[i] as number;
  return sum >>> 0;
}

function gf2Square(square: Uint32Array, mat: Uint32Array): void {
  for (let n = 0; n < 32; n++) square[n] = gf2Times(mat, mat[n] as number);
}

/** CRC-32 of A‖B from crc(A), crc(B) and |B| (zlib's crc32_combine). */
export function crc32Combine(crc1: number, crc2: number, len2: number): number {
  if (len2 <= 0) return crc1 >>> 0;
  const even = new Uint32Array(32);
  const odd = new Uint32Array(32);
  odd[0] = 0xedb88320; // the CRC-32 polynomial, reflected
  let row = 1;
  for (let n = 1; n < 32; n++) {
    odd[n] = row;
    row <<= 1;
  }
  gf2Square(even, odd); // 2 zero bits
  gf2Square(odd, even); // 4 zero bits
  let c = crc1 >>> 0;
  let len = len2;
  do {
    gf2Square(even, odd);
    if (len % 2 === 1) c = gf2Times(even, c);
    len = Math.floor(len / 2);
    if (len === 0) break;
    gf2Square(odd, even);
    if (len % 2 === 1) c = gf2Times(odd, c);
    len = Math.floor(len / 2);
  } while (len !== 0);
  return (c ^ crc2) >>> 0;
}
