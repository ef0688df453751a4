/**
 * Reading a domain's Thunderbird autoconfig (clientConfig v1.1, the format src/http/discovery.ts serves) into the
 * doctor's roles: the server host name and the port of each role. Sans-I/O.
 */
import { XMLParser } from 'fast-xml-parser';
import type { DoctorRole } from './types.js';

export interface LearnedSettings {
  host: string;
  ports: Partial<Record<DoctorRole, number>>;
}

interface ServerNode {
  '@_type'?: string;
  hostname?: string;
  port?: number | string;
  socketType?: string;
}

const asArray = <T>(v: T | T[] | undefined): T[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

/** The host and role ports an autoconfig document names, or null when it is not one. */
export function parseAutoconfig(xmlText: string): LearnedSettings | null {
  let doc: { clientConfig?: { emailProvider?: { incomingServer?: ServerNode | ServerNode[]; outgoingServer?: ServerNode | ServerNode[] } } };
  try {
    doc = new XMLParser({ ignoreAttributes: false, processEntities: false }).parse(xmlText) as typeof doc;
  } catch {
    return null;
  }
  const provider = doc.clientConfig?.emailProvider;
  if (!provider) return null;
  const ports: Partial<Record<DoctorRole, number>> = {};
  let host: string | undefined;
  const put = (role: DoctorRole, s: ServerNode) => {
    const port = Number(s.port);
    if (!Number.isInteger(port) || port < 1 || port > 65535 || ports[role] !== undefined) return false;
    ports[role] = port;
    host ??= s.hostname?.trim().toLowerCase();
    return true;
  };
  for (const s of asArray(provider.incomingServer)) {
    const implicit = s.socketType?.toUpperCase() === 'SSL';
    if (s['@_type'] === 'imap') put(implicit ? 'imaps' : 'imap', s);
    if (s['@_type'] === 'pop3') put(implicit ? 'pop3s' : 'pop3', s);
  }
  for (const s of asArray(provider.outgoingServer)) {
    if (s['@_type'] !== 'smtp') continue;
    if (s.socketType?.toUpperCase() === 'SSL') put('submissions', s);
    else if (!put('submission', s)) put('submission_fallback', s);
  }
  return host ? { host, ports } : null;
}
