/**
 * The account's key pair kept in this browser (IndexedDB, as sylk-webrtc keeps it), one record per
 * account. Not protected by a passphrase: like the Sylk clients, the browser's storage of this origin is
 * the boundary; signing out keeps the key, so that the account reads its history when it signs in again.
 */
export interface StoredKeyPair {
  readonly publicKey: string;
  readonly privateKey: string;
}

const DATABASE = 'missive-chat';
const STORE = 'keys';

function open(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(STORE);
    };
    request.onsuccess = () => {
      resolve(request.result);
    };
    request.onerror = () => {
      reject(request.error ?? new Error('IndexedDB did not open'));
    };
  });
}

async function run<T>(mode: IDBTransactionMode, act: (store: IDBObjectStore) => IDBRequest): Promise<T> {
  const database = await open();
  try {
    return await new Promise<T>((resolve, reject) => {
      const request = act(database.transaction(STORE, mode).objectStore(STORE));
      request.onsuccess = () => {
        resolve(request.result as T);
      };
      request.onerror = () => {
        reject(request.error ?? new Error('IndexedDB request failed'));
      };
    });
  } finally {
    database.close();
  }
}

export async function loadKeyPair(account: string): Promise<StoredKeyPair | undefined> {
  const value = await run<unknown>('readonly', (store) => store.get(account));
  if (typeof value !== 'object' || value === null) return undefined;
  const { publicKey, privateKey } = value as Record<string, unknown>;
  return typeof publicKey === 'string' && typeof privateKey === 'string'
    ? { publicKey, privateKey }
    : undefined;
}

export async function saveKeyPair(account: string, pair: StoredKeyPair): Promise<void> {
  await run('readwrite', (store) =>
    store.put({ publicKey: pair.publicKey, privateKey: pair.privateKey }, account),
  );
}
