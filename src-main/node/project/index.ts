export { APP_DIR_NAME, caseFolder } from './case-folder';
export { appDataDir } from './app-data';
export { writeFileAtomicSync } from './atomic-write';
export { type Project, ProjectError, ProjectRegistry } from './registry';
export { type ProjectSettings, ProjectSettingsSchema, defaultSettings } from './settings';
export { FORBIDDEN_CHARS, type NameCheck, checkStorageName, suggestStorageName } from './storage-name';
