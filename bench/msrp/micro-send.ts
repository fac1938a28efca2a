/**
 * The SEND chunk the in-process micro-benchmarks relay: the bench generator's head (bench/msrp/wire.ts:
 * To-Path, From-Path, Message-ID, Byte-Range, Content-Type) and a 2 KiB body, as received from A.
 */
const RELAY = 'msrp://127.0.0.1:40000/8a7d2f1c9b0e;tcp';
const B = 'msrp://127.0.0.1:40002/bsession;tcp';
const A = 'msrp://127.0.0.1:40001/asession;tcp';

export const MICRO_SEND_BYTES = Buffer.from(
  `MSRP a1b2c3d4 SEND\r\nTo-Path: ${RELAY} ${B}\r\nFrom-Path: ${A}\r\nMessage-ID: m42\r\n` +
    'Byte-Range: 1-2048/2048\r\nContent-Type: text/plain\r\n\r\n' +
    `${'x'.repeat(2048)}\r\n-------a1b2c3d4$\r\n`,
);
