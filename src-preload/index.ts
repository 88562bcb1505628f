// Preload (sandboxed, bundled to one CommonJS file): exposes intent functions only.
import { contextBridge } from 'electron';

contextBridge.exposeInMainWorld('cloudhpc', {});
