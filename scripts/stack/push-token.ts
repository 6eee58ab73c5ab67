import { randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * The per-run secret of the local function endpoints: the host serves a service's Pub/Sub-pushed
 * functions and jobs at `/_functions/<token>/<function>/…` on its API port, so a web page the
 * developer opens cannot forge an event by posting there. Pub/Sub push cannot add a header, so the
 * token travels in the push endpoint URL, as on any push endpoint that is not behind OIDC.
 *
 * The first process of a run to load this module makes the token and puts it in the environment,
 * so the service processes it forks (and the tests' own) inherit the same one. Never used on
 * Google Cloud: there only the push service account may invoke these functions.
 */
const VARIABLE = 'SHOPFLOW_PUSH_TOKEN';
if ((process.env[VARIABLE] ?? '').length < 16) process.env[VARIABLE] = randomBytes(24).toString('base64url');

export const localPushToken = (): string => process.env[VARIABLE]!;

/** The URL of a function hosted at `baseUrl` (a service's port), token included. */
export const localFunctionUrl = (baseUrl: string, functionName: string): string =>
  `${baseUrl}/_functions/${localPushToken()}/${functionName}`;

export function isLocalPushToken(candidate: string): boolean {
  const expected = Buffer.from(localPushToken());
  const given = Buffer.from(candidate);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
