/**
 * A database driver's error as one line, for the errors the store and the credential backend raise.
 * Node's connection errors can be an AggregateError with an empty message (one error per address tried),
 * and a driver might echo the password it was given: that is masked.
 */
export function describeError(error: unknown, secret?: string): string {
  let message: string;
  if (error instanceof AggregateError && error.message === '') {
    message = error.errors.map((inner) => describeError(inner)).join('; ');
  } else if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    message = error.message !== '' ? error.message : typeof code === 'string' ? code : error.name;
  } else {
    message = String(error);
  }
  message = message.replace(/\s+/g, ' ').trim();
  return secret === undefined || secret === '' ? message : message.replaceAll(secret, '***');
}
