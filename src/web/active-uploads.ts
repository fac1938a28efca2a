/**
 * The uploads in progress by transfer id (sylk spec §4.3.2), so that the cancel route (sylk spec §4.3.6) can cut the
 * connection of the one it names. Each entry is only a way to stop it: its connection is destroyed, the
 * upload sees its body end early and leaves no file and sends no message.
 */
export class ActiveUploads {
  readonly #uploads = new Map<string, Set<() => void>>();

  /** Registers an upload's way to stop; the returned function forgets it (call it when the upload ends). */
  add(transferId: string, stop: () => void): () => void {
    let set = this.#uploads.get(transferId);
    if (set === undefined) {
      set = new Set();
      this.#uploads.set(transferId, set);
    }
    set.add(stop);
    return () => {
      set.delete(stop);
      if (set.size === 0 && this.#uploads.get(transferId) === set) this.#uploads.delete(transferId);
    };
  }

  /** Stops every upload with this id; whether there was one. */
  cancel(transferId: string): boolean {
    const set = this.#uploads.get(transferId);
    if (set === undefined) return false;
    this.#uploads.delete(transferId);
    for (const stop of set) stop();
    return true;
  }
}
