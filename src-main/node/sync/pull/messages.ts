// Every sentence the pull writes for a person: refusal and conflict reasons, activity history lines,
// log lines, the one-line summary. Programs never read these back: they use the codes in result.ts.
// (test/integration/workspace/reworded.test.ts replaces this whole module and the typed flow holds.)
import { refusal } from '../../rooted-path';
import type { ConflictCode, PullConflict, PullFailureCode, PullResult, RefusalCode } from './result';

const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 's'}`;

export const pullText = {
  refusal(code: Exclude<RefusalCode, 'no-room-for-copy'>, detail = ''): string {
    switch (code) {
      case 'outside-storage-folder': return 'not inside the project storage folder';
      case 'app-area': return refusal('app-area').reason;
      case 'symlink-member': return `symbolic link (to '${detail}') not extracted`;
      case 'hardlink-member': return `hard link (to '${detail}') not extracted`;
      case 'device-member': return 'device file not extracted';
      case 'fifo-member': return 'FIFO not extracted';
      case 'special-member': return `unsupported archive entry type ${detail}`;
      case 'truncated-member': return `truncated in the archive (${detail})`;
      default: return detail;
    }
  },
  noRoomForCopy: (why: string): string => `no room for a conflict copy: ${why}`,
  tooManyCopies: (): string => 'too many conflict copies with the same time stamp',
  conflict(code: ConflictCode): string {
    switch (code) {
      case 'changed-both': return 'changed both locally and in the cloud since the last pull';
      case 'local-differs': return 'a local file with different content is there';
      case 'folder-in-the-way': return 'a local folder has that name';
      case 'link-in-the-way': return 'a local link or special file has that name';
    }
  },
  /** A file not pulled: the cause first when it is this machine's (never "check the connection" for a full disk). */
  failure(code: PullFailureCode, detail: string): string {
    switch (code) {
      case 'disk-full': return 'the disk holding the case folder is full (no space left on the device): free some space, then pull again';
      case 'permission': return `the case folder cannot be written (permission denied or read-only): ${detail}`;
      case 'too-large': return 'the storage sent more than the listed size of the file: the download was stopped and nothing was written; pull again later';
      case 'too-slow': return 'the download was too slow to finish in time: check the connection, then pull again';
      default: return detail;
    }
  },
  listedBefore: (): string => 'the files were listed before (storage browser): no lookup call; +1 call per file to download',
  damagedArchive: (archive: string, why: string): string => `${archive} could not be read completely (${why}): the archive itself is in the case folder`,
  activity: {
    pulled: (rel: string): string => `pulled ${rel}`,
    extracted: (rel: string, files: number, refused: number, damaged: boolean): string =>
      `pulled and extracted ${rel} (${plural(files, 'file')}, ${refused} refused${damaged ? ', archive damaged: kept as is' : ''})`,
    refused: (name: string, reason: string): string => `refused '${name}' from the cloud: ${reason}`,
    conflict: (c: Pick<PullConflict, 'path' | 'copy' | 'reason'>): string => `kept the local ${c.path}; the cloud version is ${c.copy} (${c.reason})`,
  },
  log: {
    plan: (folder: string, reason: string): string => `pull ${folder}: ${reason}`,
    refused: (name: string, reason: string): string => `pull: refused '${name.replace(/[\u0000-\u001f]/g, '?')}': ${reason}`,
    notDownloaded: (rel: string, why: string): string => `pull: ${rel} not downloaded (${why}); the next pull tries again`,
    notPlaced: (rel: string, why: string): string => `pull: ${rel} could not be put in place: ${why}`,
    damaged: (rel: string, why: string): string => `pull: ${rel} could not be read completely (${why}); kept the archive as it is`,
    archiveWarning: (archive: string, text: string): string => `pull: archive ${archive}: ${text}`,
    done: (folder: string, r: PullResult): string =>
      `pull ${folder}: ${r.downloaded.length} downloaded, ${r.written.length} written, ${r.conflicts.length} conflicts, ${r.refused.length} refused, ${r.apiCalls} API calls`,
  },
  /** One line for a status display ("Pulled 3 files (12 written, 1 conflict, 2 refused, 5 API calls)"). */
  summary(r: Pick<PullResult, 'downloaded' | 'written' | 'conflicts' | 'refused' | 'failed' | 'apiCalls'>): string {
    const parts = [`${r.written.length} written`, plural(r.conflicts.length, 'conflict')];
    if (r.refused.length > 0) parts.push(`${r.refused.length} refused`);
    if (r.failed.length > 0) parts.push(`${r.failed.length} failed`);
    parts.push(plural(r.apiCalls, 'API call'));
    return `Pulled ${plural(r.downloaded.length, 'file')} (${parts.join(', ')})`;
  },
};
