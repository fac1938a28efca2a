/** The [FileTransfer] settings of `missive serve` (see serve-settings.ts): uploaded files (src/files/). */
import { atLeast, flag, optional, portOrOff, seconds, text } from '../setting-values.js';
import { setting } from './setting-spec.js';

export const FILE_TRANSFER_SETTINGS = {
  fileTransferDir: setting({
    section: 'FileTransfer',
    kind: optional(text('dir')),
    default: undefined,
    defaultText: 'DATA_DIR/file_transfers',
    help: "where uploaded files are kept, in SylkServer's layout (SylkServer: file_transfer_dir)",
    path: true,
  }),
  fileTransferExpireDays: setting({
    section: 'FileTransfer',
    kind: atLeast(1, 'days'),
    default: 15,
    help: 'files of 50 MiB or more are removed after this many days, others after twice as many (SylkServer: filetransfer_expire_days)',
  }),
  fileTransferMaxBytes: setting({
    section: 'FileTransfer',
    kind: atLeast(1, 'bytes'),
    default: 1024 * 1024 * 1024,
    help: 'largest file an upload may have; a larger one is refused with 413 before its body is read',
  }),
  fileTransferQuotaBytes: setting({
    section: 'FileTransfer',
    kind: atLeast(0, 'bytes'),
    default: 10 * 1024 * 1024 * 1024,
    help: 'bytes of files an account may keep (uploads in progress included; 0: no quota); beyond it 507',
  }),
  fileTransferDownloadToken: setting({
    section: 'FileTransfer',
    kind: flag,
    default: false,
    help: 'downloads need the API token of the sender or the receiver (off: the URL is enough, as in SylkServer)',
  }),
  fileTransferMsrpPort: setting({
    section: 'FileTransfer',
    kind: portOrOff,
    default: 0,
    help: "TCP port of missive's own MSRP endpoint for files sent in an INVITE (sylk spec §4.3.4), on the SIP address; 0: a free port each start, -1: off (an INVITE to the server is then routed as any other request)",
  }),
  fileTransferMsrpIdleSeconds: setting({
    section: 'FileTransfer',
    kind: seconds,
    default: 60,
    help: 'an MSRP file transfer that neither gets nor sends a byte for this long is cut (nothing of it is kept)',
  }),
} as const;
