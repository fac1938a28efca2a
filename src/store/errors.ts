/**
 * What the store throws. Every failure is a StoreError, so a caller can tell storage problems from its own
 * bugs; the subclasses are the cases a caller answers differently (a usage error, "already exists"…).
 */
export class StoreError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreError';
  }
}

/** The store URI cannot be used: unknown scheme, no path, bad parameter. */
export class StoreUriError extends StoreError {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StoreUriError';
  }
}

/** The database was migrated by a newer missive: opening it could corrupt what that version wrote. */
export class SchemaVersionError extends StoreError {
  constructor(
    readonly found: number,
    readonly known: number,
  ) {
    super(
      `the database schema is at version ${found}, newer than the ${known} this missive knows: upgrade missive`,
    );
    this.name = 'SchemaVersionError';
  }
}

/** A value given to the store is malformed (a username with a space, a port of 70000…). Nothing was written. */
export class InvalidInputError extends StoreError {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
    this.name = 'InvalidInputError';
  }
}

/** add() of a subscriber that exists already. */
export class DuplicateSubscriberError extends StoreError {
  constructor(
    readonly username: string,
    readonly domain: string,
  ) {
    super(`the subscriber ${username}@${domain} exists already`);
    this.name = 'DuplicateSubscriberError';
  }
}
