/**
 * What the network doctor learns, as plain data: the probes of each port, the sign-in, the round trip. The verdict
 * (verdict.ts) is computed from this alone, so it is tested without a network; `--json` prints it as is.
 */

/** The ports the doctor looks at: the mail roles a client uses, the MX, and the web. */
export const DOCTOR_ROLES = ['mx', 'submissions', 'submission', 'submission_fallback', 'imaps', 'imap', 'pop3s', 'pop3', 'https'] as const;
export type DoctorRole = (typeof DOCTOR_ROLES)[number];

/** The IANA ports (RFC 8314 §7 for 465/993/995, RFC 6409 for 587); 2525 is the common alternative submission port. */
export const DOCTOR_STANDARD_PORTS: Record<DoctorRole, number> = {
  mx: 25,
  submissions: 465,
  submission: 587,
  submission_fallback: 2525,
  imaps: 993,
  imap: 143,
  pop3s: 995,
  pop3: 110,
  https: 443,
};

export type Protocol = 'smtp' | 'imap' | 'pop3' | 'http';

/** How each role is spoken: its protocol and whether TLS starts at once (RFC 8314) or by STARTTLS/STLS. */
export const ROLE_SHAPE: Record<DoctorRole, { protocol: Protocol; implicitTls: boolean }> = {
  mx: { protocol: 'smtp', implicitTls: false },
  submissions: { protocol: 'smtp', implicitTls: true },
  submission: { protocol: 'smtp', implicitTls: false },
  submission_fallback: { protocol: 'smtp', implicitTls: false },
  imaps: { protocol: 'imap', implicitTls: true },
  imap: { protocol: 'imap', implicitTls: false },
  pop3s: { protocol: 'pop3', implicitTls: true },
  pop3: { protocol: 'pop3', implicitTls: false },
  https: { protocol: 'http', implicitTls: true },
};

export interface TlsFindings {
  version: string;
  cipher: string;
  /** The chain verifies against the trusted CAs (the system's, or `--ca`). */
  trusted: boolean;
  /** Why it does not verify (node's code, e.g. `SELF_SIGNED_CERT_IN_CHAIN`). */
  trustError: string | null;
  /** The certificate names the server host name. */
  nameMatches: boolean;
  subject: string;
  names: string[];
  validTo: string;
  daysLeft: number;
  fingerprint256: string;
}

export type Reachability = 'open' | 'refused' | 'timeout' | 'error';

export interface PortProbe {
  role: DoctorRole;
  port: number;
  reach: Reachability;
  /** The connect error or the protocol problem, in words. */
  error: string | null;
  connectMs: number | null;
  /** The first line the server sent (SMTP 220, IMAP * OK, POP3 +OK). */
  banner: string | null;
  /** SMTP: the EHLO keywords (upper case); IMAP: CAPABILITY atoms; POP3: CAPA lines. */
  capabilities: string[];
  /** SMTP: the AUTH mechanisms offered after TLS. */
  authMechanisms: string[];
  /** STARTTLS/STLS offered on a plain port (null where it does not apply). */
  starttls: boolean | null;
  tls: TlsFindings | null;
  /** Signs that something between the client and the server answers instead of it. */
  interception: string[];
}

export type StepResult = { ok: true; ms: number; detail: string } | { ok: false; code: string; message: string };

export interface DoctorReport {
  address: string;
  host: string;
  /** Where the settings came from: autoconfig (its URL), or the standard ports. */
  source: string;
  at: string;
  probes: PortProbe[];
  signIn: StepResult | null;
  send: (StepResult & { role?: DoctorRole }) | null;
  receive: (StepResult & { role?: DoctorRole }) | null;
  roundTripMs: number | null;
}
