/**
 * Mail addresses as Outpost hands them out.
 *
 * RFC 5321 §4.1.2 (Dot-string), RFC 5322 §3.2.3 (atext, dot-atom), RFC 5321 §4.5.3.1 (length limits),
 * RFC 1035 §2.3.1 / RFC 5890 (domain labels, IDN as A-labels). Addresses are case-insensitive in Outpost:
 * the canonical form is lower case with the domain in ASCII (punycode).
 */
import { domainToASCII } from 'node:url';
import { accountLimits } from '../lib/limits.js';
import { UserError } from '../lib/errors.js';

/** RFC 5322 §3.2.3 atext. */
const ATEXT = /^[A-Za-z0-9!#$%&'*+\-/=?^_`{|}~]+$/;
/** RFC 1035 LDH label (letters, digits, hyphen; not starting or ending with a hyphen). */
const LDH_LABEL = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

export interface Address {
  /** Canonical `local@domain`, lower case, domain in ASCII. */
  readonly address: string;
  readonly localPart: string;
  readonly domain: string;
}

export class InvalidAddressError extends UserError {
  constructor(input: string, what: string) {
    super('invalid', `invalid address ${JSON.stringify(input)}: ${what}`);
  }
}

/** Checks a dot-atom local part; returns a description of the problem, or undefined when it is fine. */
export function localPartProblem(local: string): string | undefined {
  if (local.length === 0) return 'the part before @ is empty';
  if (Buffer.byteLength(local) > accountLimits.localPartMaxOctets)
    return `the part before @ is longer than ${accountLimits.localPartMaxOctets} characters (RFC 5321 §4.5.3.1.1)`;
  if (local.startsWith('.') || local.endsWith('.')) return 'the part before @ may not start or end with a dot';
  if (local.includes('..')) return 'the part before @ may not contain two dots in a row';
  for (const atom of local.split('.')) {
    if (!ATEXT.test(atom)) {
      const bad = [...atom].find((c) => !ATEXT.test(c));
      return `the part before @ contains a character that is not allowed (${JSON.stringify(bad)})`;
    }
  }
  return undefined;
}

/** Normalises a domain to lower-case ASCII (IDN → punycode) or returns a problem description. */
export function normaliseDomain(input: string): { domain: string } | { problem: string } {
  const raw = input.trim().replace(/\.$/, '');
  if (raw.length === 0) return { problem: 'the domain is empty' };
  if (raw.startsWith('[')) return { problem: 'address literals such as [192.0.2.1] cannot hold mailboxes' };
  const ascii = domainToASCII(raw).toLowerCase();
  if (ascii === '') return { problem: `the domain ${JSON.stringify(raw)} is not a valid host name` };
  if (ascii.length > accountLimits.domainMaxOctets)
    return { problem: `the domain is longer than ${accountLimits.domainMaxOctets} characters` };
  for (const label of ascii.split('.')) {
    if (label.length > accountLimits.domainLabelMaxOctets)
      return { problem: `the domain label ${JSON.stringify(label)} is longer than 63 characters` };
    if (!LDH_LABEL.test(label))
      return { problem: `the domain label ${JSON.stringify(label)} may hold only letters, digits and inner hyphens` };
  }
  return { domain: ascii };
}

/** Parses and validates `local@domain`; throws {@link InvalidAddressError} naming the problem. */
export function parseAddress(input: string): Address {
  const s = input.trim();
  const at = s.lastIndexOf('@');
  if (at < 0) throw new InvalidAddressError(input, 'it has no @');
  if (s.indexOf('@') !== at) throw new InvalidAddressError(input, 'it has more than one @');
  const local = s.slice(0, at);
  const problem = localPartProblem(local);
  if (problem) throw new InvalidAddressError(input, problem);
  const d = normaliseDomain(s.slice(at + 1));
  if ('problem' in d) throw new InvalidAddressError(input, d.problem);
  const address = `${local.toLowerCase()}@${d.domain}`;
  if (Buffer.byteLength(address) > accountLimits.addressMaxOctets)
    throw new InvalidAddressError(input, `it is longer than ${accountLimits.addressMaxOctets} characters`);
  return { address, localPart: local.toLowerCase(), domain: d.domain };
}

/** Parses a domain name, throwing a UserError naming the problem. */
export function parseDomain(input: string): string {
  const d = normaliseDomain(input);
  if ('problem' in d) throw new UserError('invalid', `invalid domain ${JSON.stringify(input)}: ${d.problem}`);
  return d.domain;
}
