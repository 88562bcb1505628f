// Input archives: compressed inputs at the top level of a case folder, which the service extracts
// over the folder at every simulation start (reference: "Compressed inputs ... are extracted when
// the simulation starts"; its result archives and CloudHPC-massive-files bundles are not inputs).
// The app's own is `upload.tar.gz`; the provider's bash client and the web app may leave others.
import { isResultArchive, isSkipped } from '../sync/pull';

export type InputArchiveKind =
  /** tar or gzip'd tar: the app extracts it with the pull's safe extraction. */
  | 'tar'
  /** zip, 7z, rar: the service extracts it, the app cannot (downloaded as it is). */
  | 'other';

export function inputArchiveKind(basename: string): InputArchiveKind | null {
  if (isResultArchive(basename) || (isSkipped(basename) && basename !== 'upload.tar.gz')) return null;
  if (/\.(tar\.gz|tgz|tar)$/i.test(basename)) return 'tar';
  if (/\.(zip|7z|rar)$/i.test(basename)) return 'other';
  return null;
}
