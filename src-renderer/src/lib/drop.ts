// Turns dropped (or picked) files into contract drop sources. Electron: absolute paths from the
// preload (webUtils.getPathForFile). Browser: the bytes are uploaded to the server first.
import type { DropSource } from '../../../src-main/common/contract';
import { uploadStaged } from './transport';

export interface PickedFile {
  /** Relative path with the top-level dropped name first ("case/system/controlDict" or "a.txt"). */
  path: string;
  file: File;
}

function readEntries(reader: FileSystemDirectoryReader): Promise<FileSystemEntry[]> {
  return new Promise((resolve, reject) => reader.readEntries(resolve, reject));
}

async function walk(entry: FileSystemEntry, prefix: string, out: PickedFile[]): Promise<void> {
  const path = prefix ? `${prefix}/${entry.name}` : entry.name;
  if (entry.isFile) {
    const file = await new Promise<File>((resolve, reject) => (entry as FileSystemFileEntry).file(resolve, reject));
    out.push({ path, file });
  } else if (entry.isDirectory) {
    const reader = (entry as FileSystemDirectoryEntry).createReader();
    for (;;) {
      const batch = await readEntries(reader);
      if (batch.length === 0) break;
      for (const e of batch) await walk(e, path, out);
    }
  }
}

/** The dropped top-level items and every file under them. */
export async function collectDropped(dt: DataTransfer): Promise<{ tops: File[]; files: PickedFile[] }> {
  const tops = Array.from(dt.files);
  const entries = Array.from(dt.items ?? [])
    .map((i) => (typeof i.webkitGetAsEntry === 'function' ? i.webkitGetAsEntry() : null))
    .filter((e): e is FileSystemEntry => e !== null);
  const files: PickedFile[] = [];
  if (entries.length > 0) {
    for (const e of entries) await walk(e, '', files);
  } else {
    for (const f of tops) files.push({ path: f.webkitRelativePath || f.name, file: f });
  }
  return { tops, files };
}

/** Files picked through an <input type=file> (webkitRelativePath for folders). */
export function collectPicked(list: FileList): { tops: File[]; files: PickedFile[] } {
  const tops = Array.from(list);
  return { tops, files: tops.map((f) => ({ path: f.webkitRelativePath || f.name, file: f })) };
}

export async function toSources(
  picked: { tops: File[]; files: PickedFile[] },
  onUpload: (done: number, total: number) => void,
): Promise<DropSource[]> {
  const bridge = window.cloudhpc;
  if (bridge) {
    const paths = picked.tops.map((f) => bridge.getPathForFile(f)).filter((p) => p !== '');
    if (paths.length > 0) return paths.map((path) => ({ kind: 'path', path }));
  }
  if (picked.files.length === 0) throw new Error('Nothing to add: the drop held no files.');
  const stagingId = await uploadStaged(picked.files, onUpload);
  const names = [...new Set(picked.files.map((f) => f.path.split('/')[0] ?? f.path))];
  return names.map((name) => ({ kind: 'staged', stagingId, name }));
}
