// The cloud storage as a whole (see README.md): what the workspace imports.
export { StorageCatalog, type ListResult, type Listing, type WalkResult } from './catalog';
export { deleteItem, impactOn, planDelete, recordDeletion, type DeletePlan, type DeleteResult, type ProjectImpact } from './delete';
export { checkDestination, download, planDownload, planResults, type DownloadGroup, type DownloadPlan, type TransferHooks } from './download';
export { isStorageRefused, StorageRefused, type StorageRefusalCode } from './errors';
export { inputArchiveKind, type InputArchiveKind } from './inputs';
export { storageText } from './messages';
export { openCase, planOpen, type OpenCaseResult, type OpenPlan, type OpenWarning } from './open';
export { isUnder, joinStorage, normaliseStoragePath, relativeTo, storageBase, storageParent, topFolder } from './paths';
export type { ChildListing, StorageCloud } from './port';
export { emptyTransfer, type StorageProgress, type TransferResult } from './transfer';
