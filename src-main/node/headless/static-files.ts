// Serves the built renderer (out/renderer) read-only, never outside its folder (the rooted-path
// rule: no '..', no absolute path, no NUL, no symlink leading out).
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { extname } from 'node:path';
import { RootedFolder } from '../rooted-path';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export interface StaticFile {
  path: string;
  size: number;
  type: string;
}

/** The file for a URL path, or null (missing, a folder, or outside root). '/' is index.html. */
export async function findStatic(root: string, urlPath: string): Promise<StaticFile | null> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  const rel = decoded === '/' || decoded === '' ? 'index.html' : decoded.replace(/^\/+/, '');
  try {
    const full = await new RootedFolder(root).resolve(rel);
    const st = await stat(full);
    if (!st.isFile()) return null;
    return { path: full, size: st.size, type: TYPES[extname(full).toLowerCase()] ?? 'application/octet-stream' };
  } catch {
    return null;
  }
}

export function openStatic(file: StaticFile): NodeJS.ReadableStream {
  return createReadStream(file.path);
}
