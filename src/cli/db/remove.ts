/**
 * `missive db remove …` (sylk spec §6 `remove`, with sylk spec §8.27's bugs fixed): each removal asks for confirmation
 * unless `yes`, prints what it removed, and resolves to the exit status: 0 done, 1 nothing to remove or
 * declined, 2 a usage error (several push tokens and no choice without a terminal).
 */
import type { PushToken } from '../../store/push-tokens/push-token-store.js';
import type { Store } from '../../store/store.js';
import type { Questions } from './line-reader.js';
import { EXIT_FAILED, EXIT_OK, EXIT_USAGE } from '../store-program.js';

const PUSH_TOKEN_PREFIX = 20;

export interface RemoveContext {
  readonly store: Store;
  readonly account: string;
  readonly now: number;
  /** Skip the confirmation. */
  readonly yes: boolean;
  readonly questions: Questions;
  readonly print: (line: string) => void;
  readonly fail: (line: string) => void;
}

async function confirmed(context: RemoveContext, what: string): Promise<boolean> {
  if (context.yes) return true;
  const answer = await context.questions.confirm(`${what} Would you like to continue?`);
  if (answer !== true) context.fail(answer === undefined ? 'no answer: nothing removed' : 'nothing removed');
  return answer === true;
}

export async function removeMessages(context: RemoveContext, contact: string | undefined): Promise<number> {
  const { store, account, print } = context;
  const what =
    contact === undefined
      ? `This removes every message of ${account}.`
      : `This removes the conversation with ${contact} from ${account}'s messages.`;
  if (contact === undefined && (await store.journal.count(account)) === 0) {
    context.fail(`${account} has no messages`);
    return EXIT_FAILED;
  }
  if (!(await confirmed(context, what))) return EXIT_FAILED;
  if (contact === undefined) {
    print(`Removed ${String(await store.journal.removeAll(account))} messages from ${account}`);
    return EXIT_OK;
  }
  const { count } = await store.journal.removeConversation(account, contact, { now: context.now });
  if (count === 0) {
    context.fail(`${account} has no messages with ${contact}`);
    return EXIT_FAILED;
  }
  print(`Removed ${String(count)} messages from ${contact} for ${account}`);
  return EXIT_OK;
}

export async function removeApiToken(context: RemoveContext): Promise<number> {
  const { store, account } = context;
  if ((await store.storageAccounts.get(account))?.tokenExpiresAt === undefined) {
    context.fail(`${account} has no API token`);
    return EXIT_FAILED;
  }
  if (!(await confirmed(context, `This revokes the API token of ${account}.`))) return EXIT_FAILED;
  await store.storageAccounts.removeToken(account);
  context.print(`Api token for ${account} removed`);
  return EXIT_OK;
}

export async function removePublicKey(context: RemoveContext): Promise<number> {
  const { store, account } = context;
  if ((await store.publicKeys.get(account)) === undefined) {
    context.fail(`${account} has no public key`);
    return EXIT_FAILED;
  }
  if (!(await confirmed(context, `This removes the public key of ${account}.`))) return EXIT_FAILED;
  await store.publicKeys.remove(account);
  context.print(`Removed public Key from ${account}`);
  return EXIT_OK;
}

/** `pick`: an index into the listed tokens or 'all'; asked for when several are stored and none is given. */
export async function removePushTokenCommand(
  context: RemoveContext,
  pick: string | undefined,
): Promise<number> {
  const { store, account, print } = context;
  const tokens = await store.pushTokens.list(account);
  print(`${String(tokens.length)} push token(s) stored`);
  if (tokens.length === 0) {
    context.fail(`${account} has no push tokens`);
    return EXIT_FAILED;
  }
  for (const [i, token] of tokens.entries()) print(`[${String(i)}]: ${describe(token)}`);
  let chosen: PushToken[] | undefined;
  if (pick !== undefined) {
    chosen = choose(tokens, pick);
    if (chosen === undefined) {
      context.fail(`--pick must be a number from 0 to ${String(tokens.length - 1)}, or all`);
      return EXIT_USAGE;
    }
  } else if (tokens.length === 1) {
    chosen = tokens;
  } else if (context.yes) {
    context.fail('several push tokens are stored: choose with --pick N or --pick all');
    return EXIT_USAGE;
  } else {
    chosen = await context.questions.ask(
      `Pick a token to delete (Enter a number [0-${String(tokens.length - 1)}] or all)`,
      (answer) => choose(tokens, answer),
    );
    if (chosen === undefined) {
      context.fail('no answer: nothing removed');
      return EXIT_FAILED;
    }
  }
  const what =
    chosen.length === 1
      ? 'This removes that push token.'
      : `This removes ${String(chosen.length)} push tokens.`;
  if (!(await confirmed(context, what))) return EXIT_FAILED;
  for (const token of chosen) {
    await store.pushTokens.remove(account, token.appId, token.deviceId);
    print(`Removed token ${token.token.slice(0, PUSH_TOKEN_PREFIX)} from ${account}`);
  }
  return EXIT_OK;
}

/**
 * Everything of the account: messages, storage account and token, push tokens, public key, and the address
 * book (which the reference leaves behind, sylk spec §6).
 */
export async function removeAll(context: RemoveContext): Promise<number> {
  const { store, account, print } = context;
  if (!(await confirmed(context, `This removes all data of ${account}.`))) return EXIT_FAILED;
  print(`Removed ${String(await store.journal.removeAll(account))} messages from ${account}`);
  if (await store.storageAccounts.remove(account)) print(`Removed ${account} from accounts`);
  print(`Removed ${String(await store.pushTokens.removeAll(account))} push tokens from ${account}`);
  if (await store.publicKeys.remove(account)) print(`Removed public Key from ${account}`);
  if (await store.addressBooks.remove(account)) print(`Removed address book from ${account}`);
  return EXIT_OK;
}

function choose(tokens: readonly PushToken[], answer: string): PushToken[] | undefined {
  if (answer.toLowerCase() === 'all') return [...tokens];
  if (!/^[0-9]{1,6}$/.test(answer)) return undefined;
  const token = tokens[Number(answer)];
  return token === undefined ? undefined : [token];
}

function describe(token: PushToken): string {
  return `App: ${token.appId} Device ID: ${token.deviceId} Token: ${token.token.slice(0, PUSH_TOKEN_PREFIX)} ...`;
}
