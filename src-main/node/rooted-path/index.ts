// The one rooted-path rule (see README.md): what a relative path may be, and joining it to a folder
// it never leaves.
export { checkPortableComponent, checkPortableName, checkRelativePath, nameLength, pathLimits, type NameRules, type RelativeCheck } from './name-rules';
export { isPathRefused, PathRefused, refusal, type PathRefusal, type PathRefusalCode } from './refusals';
export { isWithin, RootedFolder, type RootedFolderOptions, type WithinOptions } from './rooted-path';
export { readDirNames, readDirNamesSync, showBytes, type DirNames, type UndecodableName } from './dir-names';
