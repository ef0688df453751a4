/**
 * Who may send mail to domains that are not ours (RFC 5321 §3.6.2: never an open relay; RFC 6409 §4.3 and
 * RFC 4954: relay after AUTH; ../shared/reference/client-setup-and-submission.md §4.6).
 *
 * - An authenticated session relays (submission ports only: the MX offers no AUTH).
 * - A client inside `[smtp] trusted_networks` relays without a password: the provider model, off by default,
 *   logged and rate limited by the caller.
 * - Everyone else gets 554 5.7.1 with a reply that tells a roaming user how to fix it.
 *
 * The decision is about the *final* mailbox of the path: the path parser drops source routes, a local part with
 * `%`, `!` or a quoted `@` is only ever looked up as a local address (so it is unknown, never forwarded), and an
 * address literal is never local.
 */
import { isIP } from 'node:net';
import type { Config } from '../config/load.js';
import { networkContains, type Network } from '../lib/cidr.js';
import { SmtpRefusal, Status } from './status.js';

export type RelayGrant = 'authenticated' | 'trusted-network';

export interface RelayClient {
  authenticated: boolean;
  clientIp: string;
}

/** True when the client's IP is inside one of the trusted networks (IPv4-mapped IPv6 handled by the matcher). */
export function inTrustedNetwork(networks: readonly Network[], clientIp: string): boolean {
  if (networks.length === 0 || isIP(clientIp) === 0) return false;
  return networks.some((n) => networkContains(n, clientIp));
}

/** Decides whether this client may send to a non-local recipient, or throws the 554 5.7.1 refusal. */
export function relayGrant(config: Config, client: RelayClient, recipient: string): RelayGrant {
  if (client.authenticated) return 'authenticated';
  if (inTrustedNetwork(config.smtp.trustedNetworks, client.clientIp)) return 'trusted-network';
  throw new SmtpRefusal(Status.RelayDenied, relayRefusalText(config, recipient), { logReason: 'relay-denied' });
}

/**
 * The text of the refusal: what happened and how to fix it, with this server's own host name and ports
 * (RFC 8314 §3.3: 465 first; 587 for networks that block it) and where the settings are.
 */
export function relayRefusalText(config: Config, recipient: string): string[] {
  const host = config.public.hostname;
  const p = config.public.ports;
  const ports = [
    p.submissions !== undefined ? `port ${p.submissions} (SSL/TLS)` : null,
    p.submission !== undefined ? `port ${p.submission} (STARTTLS)` : null,
    p.submission_fallback !== undefined ? `port ${p.submission_fallback} (STARTTLS, when the others are blocked)` : null,
  ].filter((x): x is string => x !== null);
  const https = p.https;
  const settings = https === undefined ? null : `https://${host}${https === 443 ? '' : `:${https}`}/settings`;
  return [
    `relaying to <${recipient}> denied: this server accepts mail for its own domains only, unless you sign in.`,
    `To send, set your outgoing server to ${host}, ${ports.length ? ports.join(' or ') : 'the submission port'}, with your full address and password.`,
    ...(settings ? [`Your settings: ${settings}`] : []),
  ];
}
