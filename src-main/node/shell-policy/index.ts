// Pure rules the Electron shell applies (no electron import, unit-tested without Electron).
export * from './external-links';
export * from './ipc-sender';
export * from './ipc-channels';
export * from './web-security';
export * from './dropped-paths';
export * from './tray-model';
export * from './notifications';
export * from './autostart';
export * from './ipc-dispatch';
export * from './native-binding';
export * from './window-policy';
export * from './quit-deadline';
export * from './sandbox';
