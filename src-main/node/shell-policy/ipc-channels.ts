// IPC channel names shared by the preload and the main process (no imports: bundled into the preload).
export const REQUEST_CHANNEL_PREFIX = 'cloudhpc:req:';
export const EVENT_CHANNEL_PREFIX = 'cloudhpc:evt:';

export function requestChannel(name: string): string {
  return `${REQUEST_CHANNEL_PREFIX}${name}`;
}

export function eventChannel(name: string): string {
  return `${EVENT_CHANNEL_PREFIX}${name}`;
}
