// Every sentence the storage browser writes for a person. Programs never read these back: they use
// the codes (errors.ts) and the typed results.
import { formatBytes, plural } from '../../common/format';


export const storageText = {
  invalidPath: (input: string): string => `"${input.replace(/[\u0000-\u001f]/g, '?')}" is not a storage path: write it as FOLDER/sub/file, without "." or ".." parts.`,
  rootIsNotAnItem: 'The storage root is not a file or a folder of its own: name a folder or a file in it.',
  rootNotDeletable: 'The storage root cannot be deleted: name the folder or the file to delete.',
  notFound: (path: string): string => `"${path}" is not in your cloudHPC storage (refresh the listing if it was added or renamed since).`,
  notAFolder: (path: string): string => `"${path}" is a file, not a folder.`,
  tooManyFolders: (path: string, max: number): string => `"${path}" holds more than ${max} folders: pick a folder further down.`,
  notUnder: (folder: string): string => `not a plain name inside ${folder || 'the storage root'} (as the service listed it): left out`,
  destinationIsAFile: (dir: string): string => `${dir} is a file: pick a folder to download into (it is created when it does not exist).`,
  notTopLevel: (folder: string): string => `Only a top-level folder of the storage can be opened as a project${folder ? ` ("${folder}" is inside another folder)` : ''}: download it instead.`,
  badFolderName: (why: string): string => `${why} Download the folder instead: a project needs a storage folder name that cloudHPC accepts for simulations.`,
  folderIsAProject: (folder: string, dir: string): string => `The storage folder "${folder}" is already synced by the project in ${dir}.`,
  dirIsAProject: (dir: string, folder: string): string => `${dir} is already a project (storage folder "${folder}"): pick another local folder.`,
  notEmpty: (dir: string, entries: number): string =>
    `${dir} is not empty (${plural(entries, 'entry', 'entries')}). Pick a new or empty folder, or choose to merge: every local file is kept, and a cloud file that differs goes beside it.`,
  zipInput: (name: string): string => `${name} is an input archive the app cannot open (zip, 7z, rar): it is downloaded as it is, and cloudHPC extracts it again at every start, over your edits of the files it holds. Unpack it here and delete it from the storage to edit those files.`,
  skippedBundles: (n: number): string => `${plural(n, 'CloudHPC-massive-files bundle')} left in the storage (the service's own, as its clients do).`,
  refusedNames: (n: number, folder: string): string => `${plural(n, 'name')} the service listed in ${folder} ${n === 1 ? 'is' : 'are'} not a plain name inside it: left out, never written.`,
  mergeKept: (n: number): string => `${plural(n, 'local entry', 'local entries')} kept as ${n === 1 ? 'it is' : 'they are'}; a cloud file that differs goes beside the local one.`,
  damagedInput: (name: string, why: string): string => `${name} could not be read completely (${why}): what could be read was extracted; it stays in the storage.`,
  opening: (dir: string): string => `${dir} is still being opened from the cloud: it does not sync until that finished. Open it from the cloud again to continue (nothing is downloaded twice).`,
  massDelete: (count: number, limit: number, folder: string): string =>
    `This deletes ${count} files the project ${folder} put in the cloud (its limit is ${limit}). Confirm the deletion of that many files (CLI: --confirm-deletes).`,
  activity: {
    deleted: (path: string): string => `Deleted ${path} from the storage (storage browser)`,
    adopted: (name: string, files: number): string => `Took over ${name} (${plural(files, 'file')}) as the project's input archive`,
    replaced: (names: string[]): string => `Replaced ${names.join(', ')} by the project's own files in the storage`,
    opened: (folder: string): string => `Opened from the cloud storage folder ${folder}`,
  },
  /** One line for a plan: "12 files (3.4 MB): 12 API calls". */
  cost: (files: number, bytes: number, calls: number): string => `${plural(files, 'file')} (${formatBytes(bytes)}): ${plural(calls, 'API call')}`,
};
