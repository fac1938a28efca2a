/** The SIP registrar and the location look-ups the proxy makes. */
export { type Aor, aorOfUri, normalizeAor } from './aor.js';
export { FlowBindings } from './flows.js';
export { Locations } from './locations.js';
export {
  DEFAULT_DEFAULT_EXPIRES,
  DEFAULT_MAX_CONTACTS,
  DEFAULT_MAX_EXPIRES,
  DEFAULT_MIN_EXPIRES,
  DEFAULT_REGISTRAR_RETRY_AFTER_SECONDS,
  type RegistrarOptions,
  type RequestAuthenticator,
} from './options.js';
export { REGISTRAR_OPTION_TAGS, Registrar } from './registrar.js';
