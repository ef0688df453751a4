/**
 * Versioned schema migrations for the SQLite store. Each entry runs once, in order, inside a transaction;
 * `PRAGMA user_version` records how far a database has come. Never edit a released migration: add a new one.
 */
export const migrations: ReadonlyArray<{ version: number; description: string; sql: string }> = [
  {
    version: 1,
    description: 'accounts, folders, messages, queue, events, counters, web sessions',
    sql: `
CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);

CREATE TABLE domains (
  name TEXT PRIMARY KEY,
  admin_address TEXT,
  signup_policy TEXT NOT NULL DEFAULT 'closed',
  created_at INTEGER NOT NULL
);

CREATE TABLE subscribers (
  id INTEGER PRIMARY KEY,
  holder TEXT NOT NULL UNIQUE,
  allowance INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE mailboxes (
  id INTEGER PRIMARY KEY,
  address TEXT NOT NULL UNIQUE,
  local_part TEXT NOT NULL,
  domain TEXT NOT NULL REFERENCES domains(name),
  subscriber_id INTEGER NOT NULL REFERENCES subscribers(id),
  role TEXT NOT NULL,
  password_hash TEXT NOT NULL,
  quota_bytes INTEGER NOT NULL,
  used_bytes INTEGER NOT NULL DEFAULT 0,
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);
CREATE INDEX mailboxes_subscriber ON mailboxes(subscriber_id);
CREATE INDEX mailboxes_domain ON mailboxes(domain);

CREATE TABLE aliases (
  address TEXT NOT NULL,
  target TEXT NOT NULL,
  domain TEXT NOT NULL,
  system INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (address, target)
) WITHOUT ROWID;
CREATE INDEX aliases_domain ON aliases(domain);

CREATE TABLE app_passwords (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  last_used_at INTEGER,
  UNIQUE (mailbox_id, name)
);
CREATE INDEX app_passwords_secret ON app_passwords(mailbox_id, secret_hash);

CREATE TABLE folders (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  special_use TEXT,
  subscribed INTEGER NOT NULL DEFAULT 1,
  uid_validity INTEGER NOT NULL,
  uid_next INTEGER NOT NULL DEFAULT 1,
  highest_modseq INTEGER NOT NULL DEFAULT 1,
  recent_uid INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  UNIQUE (mailbox_id, name)
);

CREATE TABLE blobs (
  id TEXT PRIMARY KEY,
  size INTEGER NOT NULL,
  data BLOB NOT NULL
);

CREATE TABLE messages (
  id INTEGER PRIMARY KEY,
  blob_id TEXT NOT NULL REFERENCES blobs(id),
  size INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  subject TEXT, from_addr TEXT, to_addr TEXT, cc_addr TEXT, date INTEGER,
  message_id TEXT, in_reply_to TEXT, refs TEXT,
  structure TEXT,
  refcount INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX messages_blob ON messages(blob_id);

CREATE TABLE entries (
  folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  message_id INTEGER NOT NULL REFERENCES messages(id),
  flags TEXT NOT NULL DEFAULT '',
  modseq INTEGER NOT NULL,
  internal_date INTEGER NOT NULL,
  PRIMARY KEY (folder_id, uid)
) WITHOUT ROWID;
CREATE INDEX entries_modseq ON entries(folder_id, modseq);
CREATE INDEX entries_message ON entries(message_id);

CREATE TABLE expunged (
  folder_id INTEGER NOT NULL REFERENCES folders(id) ON DELETE CASCADE,
  uid INTEGER NOT NULL,
  modseq INTEGER NOT NULL,
  PRIMARY KEY (folder_id, uid)
) WITHOUT ROWID;

CREATE TABLE queue (
  id INTEGER PRIMARY KEY,
  -- No foreign key: a finished entry releases its message but stays as the sender-visible status.
  message_id INTEGER NOT NULL,
  mail_from TEXT NOT NULL,
  rcpt_to TEXT NOT NULL,
  domain TEXT NOT NULL,
  params TEXT NOT NULL,
  submitter_id INTEGER,
  status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_error TEXT,
  lease_owner TEXT,
  lease_until INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX queue_due ON queue(status, next_attempt_at);
CREATE INDEX queue_submitter ON queue(submitter_id);

CREATE TABLE events (
  id INTEGER PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  at INTEGER NOT NULL,
  protocol TEXT NOT NULL,
  port INTEGER NOT NULL,
  client_ip TEXT NOT NULL,
  tls INTEGER NOT NULL,
  client_name TEXT,
  kind TEXT NOT NULL,
  result TEXT NOT NULL,
  reason TEXT
);
CREATE INDEX events_mailbox ON events(mailbox_id, id);

CREATE TABLE counters (
  key TEXT PRIMARY KEY,
  count INTEGER NOT NULL,
  window_start INTEGER NOT NULL,
  locked_until INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

CREATE TABLE web_sessions (
  id TEXT PRIMARY KEY,
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  csrf_token TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
`,
  },
  {
    version: 2,
    description: 'DKIM signing keys per domain',
    sql: `
CREATE TABLE dkim_keys (
  domain TEXT NOT NULL REFERENCES domains(name) ON DELETE CASCADE,
  selector TEXT NOT NULL,
  algorithm TEXT NOT NULL,
  private_key TEXT NOT NULL,
  public_key TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (domain, selector)
) WITHOUT ROWID;
`,
  },
  {
    version: 3,
    description: 'locks with an expiry (POP3 maildrop lock, single-runner jobs)',
    sql: `
CREATE TABLE locks (
  key TEXT PRIMARY KEY,
  owner TEXT NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 4,
    description: 'outbound queue: delay-notice marker, operator bounce request, attempt history',
    sql: `
ALTER TABLE queue ADD COLUMN delay_notified_at INTEGER;
ALTER TABLE queue ADD COLUMN bounce_requested INTEGER NOT NULL DEFAULT 0;
CREATE TABLE queue_attempts (
  id INTEGER PRIMARY KEY,
  queue_id INTEGER NOT NULL,
  at INTEGER NOT NULL,
  host TEXT,
  status TEXT NOT NULL,
  reply TEXT
);
CREATE INDEX queue_attempts_queue ON queue_attempts(queue_id, id);
`,
  },
  {
    version: 5,
    description: 'per-mailbox rules: forwarding and vacation replies',
    sql: `
CREATE TABLE mailbox_rules (
  mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
  forward_to TEXT NOT NULL DEFAULT '[]',
  keep_copy INTEGER NOT NULL DEFAULT 1,
  vacation_enabled INTEGER NOT NULL DEFAULT 0,
  vacation_subject TEXT NOT NULL DEFAULT '',
  vacation_body TEXT NOT NULL DEFAULT '',
  vacation_period_days INTEGER NOT NULL DEFAULT 7,
  vacation_until INTEGER
);
`,
  },
  {
    version: 6,
    description: 'MTA-STS policy cache (RFC 8461 §5.1)',
    sql: `
CREATE TABLE mta_sts_policies (
  domain TEXT PRIMARY KEY,
  policy_id TEXT NOT NULL,
  policy TEXT NOT NULL,
  fetched_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL
) WITHOUT ROWID;
`,
  },
  {
    version: 7,
    description: 'IMAP: SEARCH text index (FTS5 trigrams over decoded, case-folded text, one row per message); big bodies in chunks',
    sql: `
ALTER TABLE messages ADD COLUMN text_indexed INTEGER NOT NULL DEFAULT 0;
CREATE VIRTUAL TABLE message_text USING fts5(header, body, content = '', contentless_delete = 1, tokenize = 'trigram');
-- The few messages without text (stored before the index, or too big): found without scanning every message.
CREATE INDEX messages_unindexed ON messages(id) WHERE text_indexed = 0;
-- Bodies over storeLimits.blobChunkOctets: their blobs.data is empty and their octets are here, in order.
CREATE TABLE blob_chunks (
  blob_id TEXT NOT NULL REFERENCES blobs(id),
  seq INTEGER NOT NULL,
  data BLOB NOT NULL,
  PRIMARY KEY (blob_id, seq)
);
`,
  },
  {
    version: 8,
    description: 'certificates served by SNI, ACME account keys, pending challenges, renewal backoff (issue 10)',
    sql: `
CREATE TABLE tls_certificates (
  key TEXT PRIMARY KEY,
  names TEXT NOT NULL,
  cert_pem TEXT NOT NULL,
  key_pem TEXT NOT NULL,
  source TEXT NOT NULL,
  issuer TEXT NOT NULL,
  not_before INTEGER NOT NULL,
  not_after INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE acme_accounts (
  directory_url TEXT PRIMARY KEY,
  key_pem TEXT NOT NULL,
  account_url TEXT,
  created_at INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE acme_challenges (
  kind TEXT NOT NULL,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  expires_at INTEGER NOT NULL,
  PRIMARY KEY (kind, key)
) WITHOUT ROWID;
CREATE TABLE cert_renewals (
  key TEXT PRIMARY KEY,
  failures INTEGER NOT NULL,
  next_attempt_at INTEGER NOT NULL,
  last_attempt_at INTEGER,
  last_success_at INTEGER,
  last_error TEXT
) WITHOUT ROWID;
`,
  },
  {
    version: 9,
    description: 'webmail preferences: display name, signature, senders whose remote images are shown',
    sql: `
CREATE TABLE webmail_prefs (
  mailbox_id INTEGER PRIMARY KEY REFERENCES mailboxes(id) ON DELETE CASCADE,
  display_name TEXT NOT NULL DEFAULT '',
  signature TEXT NOT NULL DEFAULT '',
  trusted_senders TEXT NOT NULL DEFAULT '[]'
);
`,
  },
  {
    version: 10,
    description: 'webmail: sort keys on folder entries (date, sender, base subject, size) with indexes; pending attachment uploads',
    sql: `
-- Filled from the message's metadata by the store (src/store/sqlite/webmail-list.ts) for entries that have none
-- (rows older than this migration and new entries), so a sorted first page is ORDER BY ... LIMIT on an index.
ALTER TABLE entries ADD COLUMN sort_date INTEGER;
ALTER TABLE entries ADD COLUMN sort_from TEXT;
ALTER TABLE entries ADD COLUMN sort_subject TEXT;
ALTER TABLE entries ADD COLUMN sort_size INTEGER;
-- 1 when the stored BODYSTRUCTURE shows an attachment, 0 when it shows none, NULL when unknown (no structure).
ALTER TABLE entries ADD COLUMN attachments INTEGER;
CREATE INDEX entries_unsorted ON entries(folder_id, uid) WHERE sort_date IS NULL;
CREATE INDEX entries_by_date ON entries(folder_id, sort_date, uid);
CREATE INDEX entries_by_from ON entries(folder_id, sort_from, uid);
CREATE INDEX entries_by_subject ON entries(folder_id, sort_subject, uid);
CREATE INDEX entries_by_size ON entries(folder_id, sort_size, uid);
-- Attachments uploaded in the webmail and not sent yet: bounded per mailbox, expired by a sweep.
CREATE TABLE webmail_uploads (
  mailbox_id INTEGER NOT NULL REFERENCES mailboxes(id) ON DELETE CASCADE,
  blob_id TEXT NOT NULL,
  size INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  PRIMARY KEY (mailbox_id, blob_id)
) WITHOUT ROWID;
CREATE INDEX webmail_uploads_age ON webmail_uploads(created_at);
`,
  },
  {
    version: 11,
    description: 'IMAP: each message\'s top-level header section kept apart, so a header listing reads no message',
    sql: `
-- BODY[HEADER] octets (src/mail/mime/parse.ts headerSection), written with the message: NULL when bigger than
-- storeLimits.headerCacheOctets (read from the blob instead). Messages stored before this migration have no row
-- until the backfill (src/imap/header-backfill.ts) reaches them. Apart from messages so that the rows every
-- listing joins stay small.
CREATE TABLE message_headers (
  message_id INTEGER PRIMARY KEY REFERENCES messages(id) ON DELETE CASCADE,
  header BLOB
);
`,
  },
];
