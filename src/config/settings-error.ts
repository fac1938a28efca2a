/** Moved to src/ini/settings-error.ts; this re-export keeps src/cli/'s imports working until they name it. */
export { SettingsError } from '../ini/settings-error.js';
