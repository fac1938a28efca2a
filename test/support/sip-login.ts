/**
 * Logins as any user from one agent's socket, for the tests of failed logins and their limits: a REGISTER
 * (Expires 300) or a MESSAGE (text/plain) without credentials, then the answer to its challenge with a given
 * password, both in one dialog.
 */
import { generateCallId } from '../../src/sip/message/ids.js';
import type { SipResponse } from '../../src/sip/message/message.js';
import type { Agent, RequestSpec } from './sip-agent.js';

export interface LoginRequest {
  readonly method: 'REGISTER' | 'MESSAGE';
  readonly user: string;
  /** MESSAGE only: the recipient user (same domain). */
  readonly to?: string;
  readonly password: string;
}

/** The first final response, and the answer to the credentials when the first was a challenge. */
export async function login(
  agent: Agent,
  request: LoginRequest,
): Promise<{ first: SipResponse; answer?: SipResponse }> {
  const callId = generateCallId('login');
  const first = await loginStep(agent, request, callId);
  if (first.status !== 401 && first.status !== 407) return { first };
  const credentials = agent.credentials(loginSpec(agent, request, callId), first);
  return { first, answer: await loginStep(agent, request, callId, credentials) };
}

/** One request of a login, in the dialog `callId`, with a credentials header when given: its final response. */
export function loginStep(
  agent: Agent,
  request: LoginRequest,
  callId: string,
  credentials?: readonly [string, string],
): Promise<SipResponse> {
  const spec = loginSpec(agent, request, callId);
  return agent.transact(
    agent.request({
      ...spec,
      extra: [...(spec.extra ?? []), ...(credentials === undefined ? [] : [credentials])],
    }),
  );
}

function loginSpec(agent: Agent, request: LoginRequest, callId: string): RequestSpec {
  const to = request.method === 'REGISTER' ? request.user : (request.to ?? request.user);
  return {
    method: request.method,
    uri: request.method === 'REGISTER' ? `sip:${agent.domain}` : `sip:${to}@${agent.domain}`,
    to: `<sip:${to}@${agent.domain}>`,
    from: request.user,
    password: request.password,
    callId,
    contact: `<sip:${request.user}@${agent.host}:${String(agent.port)}>`,
    ...(request.method === 'REGISTER'
      ? { extra: [['Expires', '300']] as const }
      : { body: 'limit test', contentType: 'text/plain' }),
  };
}
