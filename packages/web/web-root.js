import { fileURLToPath } from 'node:url';

/** The directory of the built web app, for a server to serve at `/`. */
export const webRoot = fileURLToPath(new URL('./dist/', import.meta.url));
