/**
 * The [Cluster] settings of `missive serve` (see serve-settings.ts): several instances on one PostgreSQL or
 * Cassandra store.
 */
import { optional, seconds, sipUri, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const CLUSTER_SETTINGS = {
  instanceId: setting({
    section: 'Cluster',
    kind: optional(text('id')),
    default: undefined,
    defaultText: 'off: a single instance',
    help: "several instances on one PostgreSQL or Cassandra store (docs/scaling.md): this instance's id, unique among them",
  }),
  instanceAddress: setting({
    section: 'Cluster',
    kind: optional(sipUri),
    default: undefined,
    help: 'with instance_id: the SIP URI the other instances reach this one at (e.g. sip:10.0.0.2:5060;transport=tcp); list every instance in trusted_peer',
  }),
  instanceHeartbeat: setting({
    section: 'Cluster',
    kind: seconds,
    default: 5,
    help: 'how often an instance records that it is alive and reads where the others are',
  }),
  instanceDeadAfter: setting({
    section: 'Cluster',
    kind: seconds,
    default: 30,
    help: 'an instance silent this long is dead: the others remove the registrations it held',
  }),
};
