/**
 * The INI reader moved to src/ini/ (a leaf that the relay's and the credential store's settings use without
 * importing config/). This re-export keeps src/cli/'s imports working until they name src/ini/ themselves.
 */
export { IniDocument, IniError, parseBoolean, parseInteger } from '../ini/ini.js';
