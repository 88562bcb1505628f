// node --import this file: registers hooks.mjs so that `import 'electron'` loads the stand-in.
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url);
