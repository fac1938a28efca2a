/**
 * Reading a configuration file into the texts of settings, with where each was written. The file is read as
 * Python's configparser reads it (config/ini.ts); the values are checked later, by the settings' own kinds.
 */
import { readFile } from 'node:fs/promises';
import { IniDocument, IniError } from '../ini/ini.js';
import {
  iniKey,
  SECTIONS,
  type SectionName,
  type ServeSettingName,
  SERVE_SETTING_NAMES,
  settingOfKey,
  specOf,
} from './serve-settings.js';

/** A setting's text as a file gives it. */
export interface FileValue {
  readonly text: string;
  readonly file: string;
  readonly line: number | undefined;
  readonly section: string;
  readonly key: string;
  /** Set when the value comes from a SylkServer file: which missive setting it stands for is then not obvious. */
  readonly sylkServer?: boolean;
}

export type FileValues = ReadonlyMap<ServeSettingName, FileValue>;

export type FileRead<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly problems: readonly string[] };

/** Reads one file that must exist; an unreadable file or a syntax error is a problem naming the file (and line). */
export async function readIniFile(file: string): Promise<FileRead<IniDocument>> {
  let bytes: Buffer;
  try {
    bytes = await readFile(file);
  } catch (error) {
    return {
      ok: false,
      problems: [`${file}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'})`],
    };
  }
  const decoded = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
  try {
    return { ok: true, value: IniDocument.parse(decoded.decode(bytes), file) };
  } catch (error) {
    if (error instanceof IniError) return { ok: false, problems: [error.message] };
    if (error instanceof TypeError) return { ok: false, problems: [`${file}: not valid UTF-8`] };
    throw error;
  }
}

const where = (file: string, line: number | undefined): string =>
  line === undefined ? `${file}: ` : `${file}:${String(line)}: `;

/**
 * missive's own file: every key must be a setting of its section. [DEFAULT] holds variables for `%(name)s`
 * references, as in configparser, and is not checked.
 */
export function missiveFileValues(doc: IniDocument, file: string): FileRead<FileValues> {
  const values = new Map<ServeSettingName, FileValue>();
  const problems: string[] = [];
  for (const section of doc.sections()) {
    const entries = doc.entries(section);
    const firstLine = entries.length === 0 ? undefined : doc.lineOf(section, entries[0]?.key ?? '');
    if (!isSection(section)) {
      problems.push(
        `${where(file, firstLine)}unknown section [${section}]; the sections are ${SECTIONS.map((s) => `[${s}]`).join(', ')}`,
      );
      continue;
    }
    for (const entry of entries) {
      const line = doc.lineOf(section, entry.key);
      const name = settingOfKey(entry.key);
      if (name === undefined || specOf(name).section !== section) {
        problems.push(`${where(file, line)}${unknownKey(section, entry.key, name)}`);
        continue;
      }
      let text: string | undefined;
      try {
        text = doc.get(section, entry.key);
      } catch (error) {
        if (!(error instanceof IniError)) throw error;
        problems.push(error.message);
        continue;
      }
      values.set(name, { text: text ?? '', file, line, section, key: entry.key });
    }
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, value: values };
}

function isSection(name: string): name is SectionName {
  return (SECTIONS as readonly string[]).includes(name);
}

function unknownKey(section: SectionName, key: string, elsewhere: ServeSettingName | undefined): string {
  if (elsewhere !== undefined) {
    return `${key} belongs in [${specOf(elsewhere).section}], not [${section}]`;
  }
  const keys = SERVE_SETTING_NAMES.filter((name) => specOf(name).section === section).map(iniKey);
  return `unknown key ${key} in [${section}]; the keys of [${section}] are ${keys.join(', ')}`;
}
