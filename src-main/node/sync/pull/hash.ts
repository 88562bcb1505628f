// Streaming SHA-256 of a file: never reads a whole file into memory, never blocks the loop.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';

export async function hashFile(file: string, signal?: AbortSignal): Promise<string> {
  const h = createHash('sha256');
  const rs = createReadStream(file, { highWaterMark: 1 << 20, signal });
  for await (const chunk of rs) h.update(chunk as Buffer);
  return h.digest('hex');
}
