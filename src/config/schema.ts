/**
 * The one configuration schema: every key of outpost.toml with its type, default and documentation.
 * The loader validates against it, docs/CONFIG.md is generated from it (a test keeps them in sync).
 */

import { smtpServerLimits } from '../lib/limits.js';

export const LISTENER_ROLES = ['mx', 'submission', 'submissions', 'imap', 'imaps', 'pop3', 'pop3s', 'http', 'https', 'submission_fallback'] as const;
export type ListenerRole = (typeof LISTENER_ROLES)[number];

/** Unprivileged loopback ports a first run uses; `outpost init --standard-ports` uses the IANA ones on all interfaces. */
export const EMBEDDED_PORTS: Record<ListenerRole, number> = {
  mx: 2525,
  submission: 2587,
  submissions: 2465,
  imap: 2143,
  imaps: 2993,
  pop3: 2110,
  pop3s: 2995,
  http: 8080,
  https: 8443,
  submission_fallback: 2526,
};
export const STANDARD_PORTS: Record<ListenerRole, number> = {
  mx: 25,
  submission: 587,
  submissions: 465,
  imap: 143,
  imaps: 993,
  pop3: 110,
  pop3s: 995,
  http: 80,
  https: 443,
  /** Not an IANA port: 2525 is the alternative submission port that hosting providers and restrictive networks leave open. */
  submission_fallback: 2525,
};

const ROLE_DOCS: Record<ListenerRole, string> = {
  mx: 'SMTP for other mail servers (RFC 5321): STARTTLS offered, no AUTH.',
  submission: 'Message submission with STARTTLS then AUTH (RFC 6409, RFC 3207).',
  submissions: 'Message submission over implicit TLS (RFC 8314).',
  imap: 'IMAP with STARTTLS (RFC 9051, RFC 3501).',
  imaps: 'IMAP over implicit TLS (RFC 8314).',
  pop3: 'POP3 with STLS (RFC 1939, RFC 2595).',
  pop3s: 'POP3 over implicit TLS (RFC 8314).',
  http: 'Plain HTTP: autoconfig, the Autodiscover redirect and ACME challenges only; everything else redirects to https.',
  https: 'HTTPS: webmail, settings pages, the JSON API, autoconfig and Autodiscover.',
  submission_fallback:
    'Message submission (STARTTLS then AUTH) on an alternative port for networks that block 465 and 587; advertised to clients as a second outgoing server.',
};

export type FieldKind =
  | 'string'
  | 'hostname'
  | 'integer'
  | 'boolean'
  | 'listen'
  | 'port'
  | 'servers'
  | 'size'
  | 'enum'
  | 'path'
  | 'networks'
  | 'duration'
  | 'hostnames'
  | 'route';

export interface FieldSpec {
  kind: FieldKind;
  doc: string;
  /** Shown in the docs; `undefined` means the key is optional with no value (e.g. a listener that is off). */
  defaultText: string;
  /** An example value as written in TOML, used in error messages ("Fix: …"). */
  example: string;
  min?: number;
  max?: number;
  values?: readonly string[];
}

export interface SectionSpec {
  doc: string;
  fields: Record<string, FieldSpec>;
  /** A section whose keys are chosen by the operator (e.g. `[routes]`: one key per domain), each value of this spec. */
  entries?: FieldSpec & { keyDoc: string };
}

const listenFields = Object.fromEntries(
  LISTENER_ROLES.map((role) => [
    role,
    {
      kind: 'listen',
      doc: `${ROLE_DOCS[role]} \`"host:port"\` or an array of them; absent = off.`,
      defaultText: `"127.0.0.1:${EMBEDDED_PORTS[role]}" (written by \`outpost init\`; \`--standard-ports\`: "0.0.0.0:${STANDARD_PORTS[role]}")`,
      example: `"127.0.0.1:${EMBEDDED_PORTS[role]}"`,
    } satisfies FieldSpec,
  ]),
) as Record<ListenerRole, FieldSpec>;

const publicFields = Object.fromEntries(
  LISTENER_ROLES.map((role) => [
    role,
    {
      kind: 'port',
      doc: `The ${role} port clients are told to use (behind NAT or a load balancer it may differ from the listen port).`,
      defaultText: `the port of the first \`[listen] ${role}\` address`,
      example: String(STANDARD_PORTS[role]),
      min: 1,
      max: 65535,
    } satisfies FieldSpec,
  ]),
) as Record<ListenerRole, FieldSpec>;

export const SCHEMA: Record<string, SectionSpec> = {
  server: {
    doc: 'Who this server is.',
    fields: {
      hostname: {
        kind: 'hostname',
        doc: 'The fully qualified name of this server: SMTP greeting and EHLO, certificate name, Received headers.',
        defaultText: 'required (written by `outpost init`)',
        example: '"mail.example.com"',
      },
      domain: {
        kind: 'hostname',
        doc: 'The primary mail domain (its postmaster@ is the first admin).',
        defaultText: 'required (written by `outpost init`)',
        example: '"example.com"',
      },
    },
  },
  listen: {
    doc: 'Where each listener accepts connections. A listener whose key is absent is off.',
    fields: listenFields,
  },
  public: {
    doc: 'What clients are told: the host name and ports in autoconfig, settings pages, SMTP replies and doctor verdicts. Set these when Outpost runs behind NAT or a load balancer.',
    fields: {
      hostname: {
        kind: 'hostname',
        doc: 'The host name clients connect to.',
        defaultText: '`[server] hostname`',
        example: '"mail.example.com"',
      },
      ...publicFields,
    },
  },
  tls: {
    doc: 'The certificate every TLS listener presents when no certificate from `[acme]` matches the server name the client asks for (SNI). Reloaded on SIGHUP without dropping connections.',
    fields: {
      cert: { kind: 'path', doc: 'PEM certificate chain, relative to the data directory or absolute.', defaultText: '"tls/cert.pem"', example: '"tls/cert.pem"' },
      key: { kind: 'path', doc: 'PEM private key, relative to the data directory or absolute.', defaultText: '"tls/key.pem"', example: '"tls/key.pem"' },
    },
  },
  acme: {
    doc: 'Publicly trusted certificates from an ACME CA (RFC 8555) for the public hostname and `autoconfig.`/`autodiscover.` of every hosted domain, kept in the store (every node serves them by SNI) and renewed in the background. Needs the `http` listener reachable on port 80 (HTTP-01) or `https` on 443 (TLS-ALPN-01).',
    fields: {
      enabled: { kind: 'boolean', doc: 'Order and renew certificates.', defaultText: 'false', example: 'true' },
      directory_url: {
        kind: 'string',
        doc: "The CA's ACME directory URL.",
        defaultText: '"https://acme-v02.api.letsencrypt.org/directory" (Let\'s Encrypt)',
        example: '"https://acme-staging-v02.api.letsencrypt.org/directory"',
      },
      contact: { kind: 'string', doc: 'The e-mail address the CA may write to about the account (expiry notices).', defaultText: 'none', example: '"postmaster@example.com"' },
      ca_file: {
        kind: 'path',
        doc: "PEM CA certificates to trust for the directory's HTTPS (a private or test CA); absent = the system's.",
        defaultText: 'none',
        example: '"tls/acme-ca.pem"',
      },
      challenge: {
        kind: 'enum',
        doc: 'The challenge tried first: HTTP-01 on the `http` listener or TLS-ALPN-01 (RFC 8737) on `https`; the other one is the fallback.',
        defaultText: '"http-01"',
        example: '"tls-alpn-01"',
        values: ['http-01', 'tls-alpn-01'],
      },
      renew_before_days: {
        kind: 'integer',
        doc: 'Renew when fewer days than this are left, or when a third of the lifetime is left if that comes later.',
        defaultText: '30',
        example: '30',
        min: 1,
        max: 365,
      },
      check_interval: {
        kind: 'duration',
        doc: 'How often each node checks whether a certificate needs ordering and loads certificates other nodes stored (the ordering node loads its own at once).',
        defaultText: '"1m"',
        example: '"1m"',
      },
      retry_first: { kind: 'duration', doc: 'The wait after a first failed order; it doubles with each failure.', defaultText: '"5m"', example: '"5m"' },
      retry_max: { kind: 'duration', doc: 'The longest wait between failed orders.', defaultText: '"1d"', example: '"1d"' },
      secret_file: {
        kind: 'path',
        doc: 'The secret that seals certificate and ACME account private keys in the store (created on first use, mode 0600). Every node serving the certificates needs a copy; a database backup without it holds no usable keys.',
        defaultText: '"tls/acme-secret.key"',
        example: '"tls/acme-secret.key"',
      },
    },
  },
  dns: {
    doc: 'The resolvers used by every DNS lookup Outpost makes (MX routing, SPF, DKIM, DMARC, blocklists). Outpost never falls back to another resolver.',
    fields: {
      servers: {
        kind: 'servers',
        doc: 'Resolver addresses, `"ip"` or `"ip:port"` (IPv6 as `"[::1]:53"`).',
        defaultText: 'the nameservers of /etc/resolv.conf at start-up',
        example: '["127.0.0.1:53"]',
      },
      timeout_ms: { kind: 'integer', doc: 'How long one query may take before it is retried.', defaultText: '5000', example: '5000', min: 100, max: 60_000 },
      tries: { kind: 'integer', doc: 'How many times a query is sent before it fails as a timeout.', defaultText: '2', example: '2', min: 1, max: 10 },
    },
  },
  store: {
    doc: 'Where everything is kept. SQLite (one file, the default) or, for several nodes, PostgreSQL (issue 13).',
    fields: {
      kind: {
        kind: 'enum',
        doc: 'The store implementation: `"sqlite"` (one node) or `"postgres"` (one or several nodes sharing one PostgreSQL database; see docs/DEPLOYMENT.md).',
        defaultText: '"sqlite"',
        example: '"sqlite"',
        values: ['sqlite', 'postgres'],
      },
      path: { kind: 'path', doc: 'The SQLite database file, relative to the data directory or absolute.', defaultText: '"outpost.db"', example: '"outpost.db"' },
      url: {
        kind: 'string',
        doc: 'With `kind = "postgres"`: the database URL. Leave the password out and set `PGPASSWORD` (or a `~/.pgpass`) in the environment of `outpost serve` instead.',
        defaultText: 'none',
        example: '"postgres://outpost@db.internal:5432/outpost"',
      },
    },
  },
  accounts: {
    doc: 'How mailboxes are handed out.',
    fields: {
      default_allowance: {
        kind: 'integer',
        doc: 'Mailboxes included for a new subscriber.',
        defaultText: '5',
        example: '5',
        min: 1,
        max: 10_000,
      },
      default_quota: {
        kind: 'size',
        doc: 'Storage for a new mailbox: bytes or a size such as `"1G"`, `"500M"`; 0 = unlimited.',
        defaultText: '"1G"',
        example: '"1G"',
      },
      password_min_length: {
        kind: 'integer',
        doc: 'The shortest password accepted.',
        defaultText: '10',
        example: '10',
        min: 8,
        max: 128,
      },
    },
  },
  smtp: {
    doc: 'The SMTP servers: the MX and message submission (issue 3). Limits default to src/lib/limits.ts.',
    fields: {
      max_message_size: {
        kind: 'size',
        doc: 'The largest message accepted (advertised with SIZE, RFC 1870): bytes or a size such as `"50M"`.',
        defaultText: '"50M"',
        example: '"50M"',
      },
      max_recipients: {
        kind: 'integer',
        doc: 'Recipients per message; more get 452 4.5.3 (RFC 5321 §4.5.3.1.8 requires at least 100).',
        defaultText: '100',
        example: '100',
        min: 100,
        max: 10_000,
      },
      greeting_delay_ms: {
        kind: 'integer',
        doc: 'Wait this long before the greeting and hang up on clients that talk first (pipelining before the greeting). 0 = greet at once.',
        defaultText: '0',
        example: '0',
        min: 0,
        max: smtpServerLimits.greetingDelayMaxMs,
      },
      messages_per_hour: {
        kind: 'integer',
        doc: 'Messages one mailbox may submit per hour; more get 451 4.7.1. 0 = unlimited.',
        defaultText: String(smtpServerLimits.messagesPerHour),
        example: String(smtpServerLimits.messagesPerHour),
        min: 0,
        max: 1_000_000,
      },
      recipients_per_day: {
        kind: 'integer',
        doc: 'Recipients one mailbox may submit to per day; more get 451 4.7.1. 0 = unlimited.',
        defaultText: String(smtpServerLimits.recipientsPerDay),
        example: String(smtpServerLimits.recipientsPerDay),
        min: 0,
        max: 10_000_000,
      },
      bare_line_endings: {
        kind: 'enum',
        doc: 'A message holding a bare CR or LF (SMTP smuggling material): `"normalise"` stores it with CRLF line endings, `"reject"` refuses it with 550 5.5.2. Either way only CRLF.CRLF ends DATA.',
        defaultText: '"normalise"',
        example: '"normalise"',
        values: ['normalise', 'reject'],
      },
      max_received_headers: {
        kind: 'integer',
        doc: 'Received headers above which a message is refused as a mail loop (554 5.4.6, RFC 5321 §6.3).',
        defaultText: String(smtpServerLimits.maxReceivedHeaders),
        example: String(smtpServerLimits.maxReceivedHeaders),
        min: 10,
        max: 500,
      },
      connections_per_ip: {
        kind: 'integer',
        doc: 'Concurrent SMTP connections from one client IP; more get 421 4.7.0 and are closed.',
        defaultText: String(smtpServerLimits.connectionsPerIp),
        example: String(smtpServerLimits.connectionsPerIp),
        min: 1,
        max: 100_000,
      },
      trusted_networks: {
        kind: 'networks',
        doc: 'The provider model, off by default: clients inside these networks (`"192.0.2.0/24"`, `"2001:db8::/32"`) may relay without a password. Each such relay is logged and rate limited. Strict: no octal, hex or shortened IPv4.',
        defaultText: '[] (nobody relays without a password)',
        example: '["192.0.2.0/24"]',
      },
      trusted_relay_per_hour: {
        kind: 'integer',
        doc: 'Messages per hour one client IP of a trusted network may relay without a password; more get 451 4.7.1.',
        defaultText: String(smtpServerLimits.trustedRelayPerHour),
        example: String(smtpServerLimits.trustedRelayPerHour),
        min: 1,
        max: 1_000_000,
      },
    },
  },
  queue: {
    doc: 'The outbound queue (issue 8): delivery to other mail servers, retries, bounces. Durations are written like `"30s"`, `"5m"`, `"4h"`, `"5d"` (or `"500ms"`).',
    fields: {
      retry_first: { kind: 'duration', doc: 'Wait before the first retry after a temporary failure; each later wait doubles.', defaultText: '"5m"', example: '"5m"' },
      retry_max: { kind: 'duration', doc: 'The longest wait between two attempts.', defaultText: '"4h"', example: '"4h"' },
      give_up_after: {
        kind: 'duration',
        doc: 'How long a message is retried before it bounces as undeliverable (RFC 5321 §4.5.4.1 suggests 4–5 days).',
        defaultText: '"5d"',
        example: '"5d"',
      },
      delay_notice_after: {
        kind: 'duration',
        doc: 'Tell the sender once that a message is delayed (RFC 3464 action=delayed) when it is still queued after this long; `"0s"` = never.',
        defaultText: '"4h"',
        example: '"4h"',
      },
      connect_timeout: { kind: 'duration', doc: 'Time to open a connection to a remote server.', defaultText: '"2m"', example: '"2m"' },
      greeting_timeout: { kind: 'duration', doc: 'Time to wait for the remote greeting (RFC 5321 §4.5.3.2.1: 5 minutes).', defaultText: '"5m"', example: '"5m"' },
      command_timeout: {
        kind: 'duration',
        doc: 'Time to wait for any reply, including the one after the message data (RFC 5321 §4.5.3.2: 5 minutes per command, 10 after the final dot).',
        defaultText: '"10m"',
        example: '"10m"',
      },
      concurrency: { kind: 'integer', doc: 'Deliveries in progress at once, all destinations together.', defaultText: '20', example: '20', min: 1, max: 1000 },
      concurrency_per_domain: {
        kind: 'integer',
        doc: 'Deliveries in progress at once to one destination domain.',
        defaultText: '4',
        example: '4',
        min: 1,
        max: 100,
      },
      poll_interval: { kind: 'duration', doc: 'How often the queue is checked for due messages.', defaultText: '"2s"', example: '"2s"' },
      smtp_port: {
        kind: 'port',
        doc: 'The port of remote MX hosts. Always 25 on the internet; change it only for a test network.',
        defaultText: '25',
        example: '25',
        min: 1,
        max: 65535,
      },
      require_valid_cert: {
        kind: 'hostnames',
        doc: 'Recipient domains whose servers must offer STARTTLS with a certificate valid for the MX name; otherwise the mail waits (and eventually bounces) instead of going in the clear.',
        defaultText: '[] (opportunistic TLS for every domain)',
        example: '["bank.example"]',
      },
      tls_ca_file: {
        kind: 'path',
        doc: 'Extra CA certificates (PEM) trusted when checking remote certificates, besides the system ones (e.g. a private CA).',
        defaultText: 'none',
        example: '"tls/partners-ca.pem"',
      },
      mta_sts: {
        kind: 'boolean',
        doc: 'Fetch and enforce the MTA-STS policies of recipient domains (RFC 8461).',
        defaultText: 'true',
        example: 'true',
      },
      mta_sts_port: {
        kind: 'port',
        doc: 'The HTTPS port MTA-STS policies are fetched from (`https://mta-sts.<domain>/.well-known/mta-sts.txt`, the host looked up through `[dns] servers`). Always 443 on the internet; change it only for a test network.',
        defaultText: '443',
        example: '443',
        min: 1,
        max: 65535,
      },
    },
  },
  routes: {
    doc: 'Static routes: mail for a domain goes to a fixed host instead of its MX, or through the smarthost. Keys are domains (quote them: `"example.net" = "10.0.0.5:25"`).',
    fields: {},
    entries: {
      keyDoc: 'a recipient domain',
      kind: 'route',
      doc: '`"host:port"` (a name or IP literal; TLS opportunistic) or `"smarthost"` (relay this domain through `[smarthost]`).',
      defaultText: 'none (MX lookup)',
      example: '"10.0.0.5:25"',
    },
  },
  smarthost: {
    doc: 'Relay outgoing mail through another server (with AUTH), for servers whose own port 25 is blocked. Absent `host` = no smarthost.',
    fields: {
      host: { kind: 'hostname', doc: 'The smarthost name (as in its certificate).', defaultText: 'none', example: '"smtp.provider.example"' },
      port: { kind: 'port', doc: 'The smarthost port: 465 (implicit TLS) or 587 (STARTTLS).', defaultText: '587', example: '587', min: 1, max: 65535 },
      security: {
        kind: 'enum',
        doc: '`"tls"`: implicit TLS (port 465); `"starttls"`: STARTTLS is required (587). The certificate must be valid.',
        defaultText: '"tls" for port 465, else "starttls"',
        example: '"starttls"',
        values: ['tls', 'starttls'],
      },
      username: { kind: 'string', doc: 'AUTH user name; absent = no AUTH.', defaultText: 'none', example: '"relay@example.com"' },
      password_file: {
        kind: 'path',
        doc: 'A file holding the AUTH password on its first line (kept out of outpost.toml).',
        defaultText: 'none',
        example: '"smarthost.password"',
      },
      all_mail: {
        kind: 'boolean',
        doc: 'Relay all outgoing mail through the smarthost; false = only the domains routed to `"smarthost"` in `[routes]`.',
        defaultText: 'true',
        example: 'true',
      },
    },
  },
  inbound: {
    doc: 'Checks on mail arriving at the MX from other servers: SPF, DKIM, DMARC and ARC (through the `[dns]` servers), DNS blocklists, and a spam score that files mail in Junk or refuses it.',
    fields: {
      enabled: { kind: 'boolean', doc: 'Run the checks at all (off: mail is delivered without Authentication-Results or a spam score).', defaultText: 'true', example: 'true' },
      dmarc_reject: {
        kind: 'enum',
        doc: 'A DMARC failure for a domain publishing p=reject: refuse it with 550 5.7.1 (RFC 7489 §6.6.2), file it in Junk, or ignore the policy.',
        defaultText: '"reject"',
        example: '"reject"',
        values: ['reject', 'junk', 'ignore'],
      },
      dmarc_quarantine: {
        kind: 'enum',
        doc: 'A DMARC failure for a domain publishing p=quarantine: file it in Junk, or ignore the policy.',
        defaultText: '"junk"',
        example: '"junk"',
        values: ['junk', 'ignore'],
      },
      blocklists: { kind: 'hostnames', doc: 'DNS blocklist zones asked about every connecting client (RFC 5782).', defaultText: '[]', example: '["zen.spamhaus.org"]' },
      blocklist_action: {
        kind: 'enum',
        doc: 'A listed client: refused at the end of DATA, or only scored (usually enough for Junk).',
        defaultText: '"reject"',
        example: '"reject"',
        values: ['reject', 'score'],
      },
      junk_score: { kind: 'integer', doc: 'Spam score at or above which mail goes to the Junk folder.', defaultText: '5', example: '5', min: 1, max: 100 },
      reject_score: { kind: 'integer', doc: 'Spam score at or above which mail is refused with 550 5.7.1.', defaultText: '12', example: '12', min: 1, max: 1000 },
    },
  },
  pop3: {
    doc: 'POP3 (RFC 1939) policy advertised in CAPA (RFC 2449 §6.7-6.8).',
    fields: {
      expire: {
        kind: 'string',
        doc: 'EXPIRE: `"NEVER"` (Outpost never deletes mail on its own) or a number of days after which clients are told mail may be deleted.',
        defaultText: '"NEVER"',
        example: '"NEVER"',
      },
      login_delay: {
        kind: 'integer',
        doc: 'LOGIN-DELAY: the minimum number of seconds between two POP3 sign-ins of one mailbox (0 = no limit, not advertised). Sooner sign-ins get `-ERR [LOGIN-DELAY]`.',
        defaultText: '0',
        example: '300',
        min: 0,
        max: 86_400,
      },
    },
  },
  echo: {
    doc: 'The echo address of every hosted domain: a message sent to it is answered with a report of how it arrived (port, TLS, sign-in, client IP, SPF/DKIM/DMARC, the Received chain with timings). RFC 3834 rules: never to the null sender or automatic mail, rate limited per sender, only to signed-in users or senders passing SPF/DKIM alignment.',
    fields: {
      local_part: {
        kind: 'string',
        doc: 'The local part of the echo address (`"echo"` answers echo@ every hosted domain); `""` turns it off. A real mailbox or alias with that address wins.',
        defaultText: '"echo"',
        example: '"echo"',
      },
    },
  },
  check: {
    doc: 'What `outpost check` probes besides the listeners, certificate and DNS records.',
    fields: {
      probe_host: {
        kind: 'string',
        doc: 'A `"host:port"` outside your network that answers SMTP, to test that outbound port 25 is open (many providers block it). Absent = that check is skipped.',
        defaultText: 'none (the outbound port 25 check is skipped)',
        example: '"smtp.example.net:25"',
      },
    },
  },
  log: {
    doc: 'Structured JSON logs on standard output.',
    fields: {
      level: {
        kind: 'enum',
        doc: 'The least severe level written; `trace` includes protocol transcripts (AUTH lines redacted).',
        defaultText: '"info"',
        example: '"info"',
        values: ['trace', 'debug', 'info', 'warn', 'error', 'fatal'],
      },
    },
  },
};
