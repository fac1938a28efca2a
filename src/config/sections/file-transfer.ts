/** The [FileTransfer] settings of `missive serve` (see serve-settings.ts): uploaded files. */
import { atLeast, optional, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const FILE_TRANSFER_SETTINGS = {
  fileTransferDir: setting({
    section: 'FileTransfer',
    kind: optional(text('dir')),
    default: undefined,
    help: 'where uploaded files are kept (SylkServer: file_transfer_dir)',
    path: true,
    notUsedYet: true,
  }),
  fileTransferExpireDays: setting({
    section: 'FileTransfer',
    kind: atLeast(1, 'days'),
    default: 15,
    help: 'uploaded files are removed after this many days (SylkServer: filetransfer_expire_days)',
    notUsedYet: true,
  }),
} as const;
