/**
 * SylkServer's own configuration files (config.ini and webrtcgateway.ini, sylk spec §7), read so that an
 * operator can start missive from the files they have. Each key SylkServer has for something missive does is
 * mapped to missive's setting; every other key is kept as "not used", with why, for `missive config check`.
 * A SylkServer file may hold keys missive has never heard of (its other applications): they are not errors.
 */
import { join } from 'node:path';
import type { FileRead, FileValue, FileValues } from './file-values.js';
import { readIniFile } from './file-values.js';
import { type IniDocument, IniError } from '../ini/ini.js';
import type { ServeSettingName } from './serve-settings.js';

/** A key of a SylkServer file that missive does not use, with why. */
export interface NotUsedKey {
  readonly file: string;
  readonly line: number | undefined;
  readonly section: string;
  readonly key: string;
  readonly why: string;
}

export interface SylkServerConfig {
  readonly files: readonly string[];
  readonly values: FileValues;
  readonly notUsed: readonly NotUsedKey[];
  /** Remarks on mapped values (what missive does differently), for `config check`. */
  readonly notes: readonly string[];
}

type Converted =
  | { readonly text: string; readonly note?: string }
  | { readonly notUsed: string }
  | { readonly problem: string };

interface Mapping {
  readonly setting: ServeSettingName;
  /** SylkServer's syntax to missive's; the setting's own kind checks the result. */
  readonly convert?: (text: string, doc: IniDocument) => Converted;
}

type FileMap = Readonly<Record<string, Readonly<Record<string, Mapping | string>>>>;

const NO_CASSANDRA = 'Cassandra storage is not in missive yet; [Storage] store takes a postgresql:// URI';
const NO_CERTIFICATES =
  "missive's own certificate settings are not there yet (web_tls uses the generated one)";

// webrtcgateway.ini (sylk spec §7.1); a string is why the key is not used.
const WEBRTCGATEWAY: FileMap = {
  General: {
    sip_domains: {
      setting: 'domain',
      convert: (text) =>
        text.trim() === '*'
          ? {
              notUsed:
                'any domain (*): missive serves the domains it is given; name them in [General] domain',
            }
          : { text },
    },
    web_origins: { setting: 'webOrigin' },
    trace_client: 'missive logs the sylkRTC API at debug level (--log-level debug)',
    websocket_ping_interval: { setting: 'wsPingInterval' },
    outbound_sip_proxy: { setting: 'outboundProxy', convert: sylkProxyToUri },
    http_management_interface: { setting: 'adminPort', convert: managementPort },
    http_management_auth_secret: { setting: 'adminSecret' },
    sylk_push_url: { setting: 'pushUrl' },
    file_transfer_dir: { setting: 'fileTransferDir' },
    filetransfer_expire_days: { setting: 'fileTransferExpireDays' },
    xcap_url: { setting: 'xcapUrl' },
    local_sip_messages: 'missive sends its own MESSAGEs through [SIP] outbound_proxy or to the devices',
    application_dir: 'missive keeps its data in [General] data_dir',
    recording_dir: 'video rooms are not part of missive',
    filesharing_dir: 'video rooms are not part of missive',
  },
  FileStorage: { storage_dir: 'missive keeps its store in [General] data_dir, or [Storage] store' },
};

// config.ini (sylk spec §7.2).
const CONFIG: FileMap = {
  Server: { log_level: { setting: 'logLevel', convert: pythonLogLevel } },
  SIP: {
    local_ip: { setting: 'host' },
    local_udp_port: { setting: 'sipPort', convert: sameAs('local_tcp_port') },
    local_tcp_port: { setting: 'sipPort', convert: sameAs('local_udp_port') },
    local_tls_port: { setting: 'sipsPort' },
    trusted_peers: { setting: 'trustedPeer', convert: trustedPeers },
    outbound_proxy: "SylkServer's core proxy; missive uses webrtcgateway.ini's outbound_sip_proxy",
  },
  WebServer: {
    local_ip: 'missive listens on one address for everything: [SIP] local_ip here, [General] host in missive',
    local_port: { setting: 'wsPort' },
    hostname: { setting: 'publicUrl', convert: publicUrl },
    public_port: 'used with hostname for [Web] public_url',
    certificate: NO_CERTIFICATES,
    certificate_chain: NO_CERTIFICATES,
  },
};

const FILES: readonly (readonly [string, FileMap])[] = [
  ['config.ini', CONFIG],
  ['webrtcgateway.ini', WEBRTCGATEWAY],
];

// Sections of these files that belong to parts missive does not have, named once rather than key by key.
const WHOLE_SECTIONS: Readonly<Record<string, string>> = {
  Cassandra: NO_CASSANDRA,
  Janus: 'media (Janus) is not part of missive',
};

/** Reads DIR/config.ini and DIR/webrtcgateway.ini, whichever exist (at least one must). */
export async function readSylkServerConfig(directory: string): Promise<FileRead<SylkServerConfig>> {
  const values = new Map<ServeSettingName, FileValue>();
  const notUsed: NotUsedKey[] = [];
  const notes: string[] = [];
  const problems: string[] = [];
  const files: string[] = [];
  for (const [name, map] of FILES) {
    const file = join(directory, name);
    const read = await readIniFile(file);
    if (!read.ok) {
      if (!read.problems.some((problem) => problem.endsWith('(ENOENT)'))) problems.push(...read.problems);
      continue;
    }
    files.push(file);
    const doc = read.value;
    for (const section of doc.sections()) {
      for (const { key } of doc.entries(section)) {
        const line = doc.lineOf(section, key);
        const place = { file, line, section, key };
        const mapping = map[section]?.[key] ?? WHOLE_SECTIONS[section] ?? 'not used by missive';
        if (typeof mapping === 'string') {
          notUsed.push({ ...place, why: mapping });
          continue;
        }
        let raw: string;
        let converted: Converted;
        try {
          raw = doc.get(section, key) ?? '';
          converted = mapping.convert === undefined ? { text: raw } : mapping.convert(raw, doc);
        } catch (error) {
          if (!(error instanceof IniError)) throw error;
          problems.push(error.message);
          continue;
        }
        if ('notUsed' in converted) notUsed.push({ ...place, why: converted.notUsed });
        else if ('problem' in converted)
          problems.push(`${file}:${String(line)}: [${section}] ${key} = ${raw}: ${converted.problem}`);
        else {
          values.set(mapping.setting, { ...place, text: converted.text, sylkServer: true });
          if (converted.note !== undefined) notes.push(`${file}:${String(line)}: ${converted.note}`);
        }
      }
    }
  }
  if (files.length === 0 && problems.length === 0) {
    problems.push(`${directory}: neither config.ini nor webrtcgateway.ini is there`);
  }
  return problems.length > 0
    ? { ok: false, problems }
    : { ok: true, value: { files, values, notUsed, notes } };
}

/** `host[:port][;transport=udp|tcp|tls]` (sylk spec §7.1) as a SIP URI; a URI is kept as it is. */
function sylkProxyToUri(text: string): Converted {
  const trimmed = text.trim();
  return { text: /^sips?:/i.test(trimmed) ? trimmed : `sip:${trimmed}` };
}

/** `IP[:PORT]`, port 20888 when not given (sylk spec §7.1); missive binds the admin API to 127.0.0.1 only. */
function managementPort(text: string): Converted {
  const match = /^\[?([^\]]*?)\]?(?::([0-9]+))?$/.exec(text.trim());
  const host = match?.[1] ?? '';
  const port = match?.[2] ?? '20888';
  const loopback = host === '127.0.0.1' || host === '::1' || host === 'localhost';
  return loopback
    ? { text: port }
    : { text: port, note: `missive serves the admin API on 127.0.0.1 only, not on ${host}` };
}

// SylkServer's level names are Python's.
function pythonLogLevel(text: string): Converted {
  const level = text.trim().toLowerCase();
  const names: Readonly<Record<string, string>> = { warning: 'warn', critical: 'fatal' };
  return { text: names[level] ?? level };
}

/** missive listens on one port for SIP over UDP and TCP. */
function sameAs(other: string): (text: string, doc: IniDocument) => Converted {
  return (text, doc) => {
    const otherText = doc.get('SIP', other);
    return otherText === undefined || otherText.trim() === text.trim()
      ? { text }
      : { problem: `missive uses one port for SIP over UDP and TCP, and ${other} is ${otherText}` };
  };
}

function trustedPeers(text: string): Converted {
  return text.trim().toLowerCase() === 'any'
    ? {
        problem:
          'missive does not trust every source (that would turn authentication off): name the proxy, as 10.0.0.2/32',
      }
    : { text };
}

/** SylkServer advertises `hostname` with the public port (else the local one); https when it has a certificate. */
function publicUrl(text: string, doc: IniDocument): Converted {
  const host = text.trim();
  if (host === '') return { notUsed: 'empty: the URL announced is the web port as served' };
  const port = doc.get('WebServer', 'public_port') ?? doc.get('WebServer', 'local_port') ?? '10888';
  const secure = (doc.get('WebServer', 'certificate') ?? '').trim() !== '';
  return { text: `${secure ? 'https' : 'http'}://${host}:${port.trim()}` };
}
