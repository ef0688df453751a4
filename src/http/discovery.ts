/**
 * Clients that configure themselves, all from {@link clientSettings}:
 * - Thunderbird autoconfig, clientConfig v1.1 (Thunderbird wiki "ConfigFileFormat", draft-ietf-mailmaint-autoconfig);
 * - Outlook Autodiscover POX ("outlook" response schema 2006a) and the v2 JSON redirect;
 * - Apple configuration profiles (com.apple.mail.managed, Apple device-management schema).
 * Every answer is the same for known and unknown addresses: no store lookup happens here.
 */
import { createHmac } from 'node:crypto';
import { XMLParser } from 'fast-xml-parser';
import { normaliseDomain, parseAddress } from '../mail/address.js';
import { httpLimits } from '../lib/limits.js';
import { raw, xml, type Safe } from './escape.js';
import type { ClientSettings, ServerSetting } from './settings.js';

/** The mail domain a discovery request is about: the address's domain, else the Host header minus its prefix. */
export function discoveryDomain(emailAddress: string | undefined, hostHeader: string | undefined, fallback: string): { domain: string; address: string | null } {
  if (emailAddress) {
    try {
      const a = parseAddress(emailAddress);
      return { domain: a.domain, address: a.address };
    } catch {
      // An unparsable address is treated as absent.
    }
  }
  const host = (hostHeader ?? '').replace(/:\d+$/, '').toLowerCase().replace(/^(autoconfig|autodiscover)\./, '');
  const d = host ? normaliseDomain(host) : { problem: 'none' };
  if ('domain' in d && d.domain.includes('.') && !/^[\d.]+$/.test(d.domain)) return { domain: d.domain, address: null };
  return { domain: fallback, address: null };
}

const SOCKET: Record<ServerSetting['security'], string> = { 'SSL/TLS': 'SSL', STARTTLS: 'STARTTLS' };

function serverXml(tag: 'incomingServer' | 'outgoingServer', s: ServerSetting): Safe {
  return xml`    <${raw(tag)} type="${s.kind}">
      <hostname>${s.host}</hostname>
      <port>${s.port}</port>
      <socketType>${SOCKET[s.security]}</socketType>
      <authentication>password-cleartext</authentication>
      <username>%EMAILADDRESS%</username>
    </${raw(tag)}>
`;
}


/** Thunderbird autoconfig (clientConfig 1.1). */
export function autoconfigXml(s: ClientSettings, providerName: string, documentationUrl: string): string {
  const name = providerName.slice(0, 30);
  return xml`<?xml version="1.0" encoding="UTF-8"?>
<clientConfig version="1.1">
  <emailProvider id="${s.domain}">
    <domain>${s.domain}</domain>
    <displayName>${name}</displayName>
    <displayShortName>${name.slice(0, 12)}</displayShortName>
${s.incoming.map((i) => serverXml('incomingServer', i))}${s.outgoing.map((o) => serverXml('outgoingServer', o))}    <documentation url="${documentationUrl}">
      <descr lang="en">Mail client settings</descr>
    </documentation>
  </emailProvider>
</clientConfig>
`.text;
}

// ---------------------------------------------------------------- Autodiscover (POX)

const RESPONSE_NS = 'http://schemas.microsoft.com/exchange/autodiscover/responseschema/2006';
const OUTLOOK_NS = 'http://schemas.microsoft.com/exchange/autodiscover/outlook/responseschema/2006a';

export type AutodiscoverRequest = { ok: true; emailAddress: string | null } | { ok: false; reason: string };

/**
 * Parses a POX request without any DTD or entity processing: a document carrying a DOCTYPE is refused outright
 * (no entity of it is ever expanded), as is anything over the size limit.
 */
export function parseAutodiscoverRequest(body: string): AutodiscoverRequest {
  if (Buffer.byteLength(body) > httpLimits.autodiscoverBodyBytes) return { ok: false, reason: 'too-large' };
  if (/<!DOCTYPE|<!ENTITY/i.test(body)) return { ok: false, reason: 'dtd' };
  let doc: unknown;
  try {
    const parser = new XMLParser({ processEntities: false, htmlEntities: false, ignoreAttributes: true, removeNSPrefix: true, parseTagValue: false, allowBooleanAttributes: false });
    doc = parser.parse(body, true);
  } catch {
    return { ok: false, reason: 'syntax' };
  }
  const req = (doc as { Autodiscover?: { Request?: { EMailAddress?: unknown } } } | undefined)?.Autodiscover?.Request;
  if (!req || typeof req !== 'object') return { ok: false, reason: 'no-request' };
  const email = req.EMailAddress;
  return { ok: true, emailAddress: typeof email === 'string' ? email.trim() : null };
}

/** The "outlook" response: implicit-TLS ports only, `SSL on`, `SPA off`, no `Encryption` element. */
export function autodiscoverXml(s: ClientSettings, loginName: string): string {
  const protocols = [...s.incoming, ...s.outgoing].filter((p) => p.security === 'SSL/TLS');
  const type: Record<ServerSetting['kind'], string> = { imap: 'IMAP', pop3: 'POP3', smtp: 'SMTP' };
  return xml`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response xmlns="${OUTLOOK_NS}">
    <Account>
      <AccountType>email</AccountType>
      <Action>settings</Action>
${protocols.map(
  (p) => xml`      <Protocol>
        <Type>${type[p.kind]}</Type>
        <Server>${p.host}</Server>
        <Port>${p.port}</Port>
        <LoginName>${loginName}</LoginName>
        <DomainRequired>off</DomainRequired>
        <SPA>off</SPA>
        <SSL>on</SSL>
        <AuthRequired>on</AuthRequired>
      </Protocol>
`,
)}    </Account>
  </Response>
</Autodiscover>
`.text;
}

export function autodiscoverErrorXml(now: number): string {
  const d = new Date(now);
  return xml`<?xml version="1.0" encoding="utf-8"?>
<Autodiscover xmlns="${RESPONSE_NS}">
  <Response>
    <Error Time="${d.toISOString().slice(11, 19)}" Id="${(now % 1e9).toString()}">
      <ErrorCode>600</ErrorCode>
      <Message>Invalid Request</Message>
      <DebugData />
    </Error>
  </Response>
</Autodiscover>
`.text;
}

// ---------------------------------------------------------------- Apple configuration profile

/** A UUID derived from a secret and a label, so a re-download replaces the installed profile. */
export function stableUuid(secret: string, label: string): string {
  const h = createHmac('sha256', secret).update(label).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`.toUpperCase();
}

function reverseDns(host: string): string {
  return host.split('.').reverse().join('.');
}

export interface ProfileOptions {
  secret: string;
  organisation: string;
  /** Only for the single-use link of a signed-in user: a freshly created app password. */
  appPassword?: string;
}

/** `.mobileconfig` (XML plist). Never the account password: an app password only when one was made for it. */
export function mobileconfig(s: ClientSettings, address: string, opts: ProfileOptions): string {
  const incoming = s.incoming.find((i) => i.kind === 'imap' && i.security === 'SSL/TLS') ?? s.incoming.find((i) => i.security === 'SSL/TLS');
  const outgoing = s.outgoing.find((o) => o.security === 'SSL/TLS');
  const base = `${reverseDns(s.host)}.outpost.${address.replace(/[^A-Za-z0-9.-]/g, '-')}`;
  const kv = (k: string, v: string | number | boolean): Safe => {
    const value = typeof v === 'boolean' ? xml`<${v ? T : F}/>` : typeof v === 'number' ? xml`<integer>${v}</integer>` : xml`<string>${v}</string>`;
    return xml`\t\t\t<key>${k}</key>\n\t\t\t${value}\n`;
  };
  const mail = [
    kv('PayloadType', 'com.apple.mail.managed'),
    kv('PayloadVersion', 1),
    kv('PayloadIdentifier', `${base}.mail`),
    kv('PayloadUUID', stableUuid(opts.secret, `mail:${address}`)),
    kv('PayloadDisplayName', `Mail: ${address}`),
    kv('EmailAccountType', incoming?.kind === 'pop3' ? 'EmailTypePOP' : 'EmailTypeIMAP'),
    kv('EmailAccountDescription', address),
    kv('EmailAccountName', address),
    kv('EmailAddress', address),
    kv('IncomingMailServerHostName', incoming?.host ?? s.host),
    kv('IncomingMailServerPortNumber', incoming?.port ?? 993),
    kv('IncomingMailServerUseSSL', true),
    kv('IncomingMailServerAuthentication', 'EmailAuthPassword'),
    kv('IncomingMailServerUsername', address),
    kv('OutgoingMailServerHostName', outgoing?.host ?? s.host),
    kv('OutgoingMailServerPortNumber', outgoing?.port ?? 465),
    kv('OutgoingMailServerUseSSL', true),
    kv('OutgoingMailServerAuthentication', 'EmailAuthPassword'),
    kv('OutgoingMailServerUsername', address),
    kv('OutgoingPasswordSameAsIncomingPassword', true),
    opts.appPassword ? kv('IncomingPassword', opts.appPassword) : null,
  ];
  return xml`<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
\t<key>PayloadType</key>
\t<string>Configuration</string>
\t<key>PayloadVersion</key>
\t<integer>1</integer>
\t<key>PayloadIdentifier</key>
\t<string>${base}</string>
\t<key>PayloadUUID</key>
\t<string>${stableUuid(opts.secret, `profile:${address}`)}</string>
\t<key>PayloadDisplayName</key>
\t<string>${`Mail for ${address}`}</string>
\t<key>PayloadDescription</key>
\t<string>${`Sets up ${address} in Mail (IMAP and outgoing SMTP over SSL/TLS).`}</string>
\t<key>PayloadOrganization</key>
\t<string>${opts.organisation}</string>
\t<key>PayloadContent</key>
\t<array>
\t\t<dict>
${mail}\t\t</dict>
\t</array>
</dict>
</plist>
`.text;
}

const T = raw('true');
const F = raw('false');
