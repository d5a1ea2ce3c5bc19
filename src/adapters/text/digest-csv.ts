/** The digest's CSV is built where the digest is (core/digest-files.ts, also in the digest worker); here for the CLI and renderers. */
export { digestCsv } from '../../core/digest-files.js';
