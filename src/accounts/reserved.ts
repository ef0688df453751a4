/**
 * Local parts users may not take for themselves: role addresses that must reach the operator (RFC 2142), names
 * certificate authorities accept as proof of control (CA/Browser Forum BR §3.2.2.4.4: admin, administrator,
 * webmaster, hostmaster, postmaster), and names mail software uses for itself.
 */
export const RESERVED_LOCAL_PARTS: ReadonlySet<string> = new Set([
  // RFC 2142 §3-5
  'postmaster', 'abuse', 'hostmaster', 'webmaster', 'www', 'noc', 'security', 'info', 'marketing', 'sales', 'support',
  'usenet', 'news', 'uucp', 'ftp',
  // CA/Browser Forum domain validation addresses
  'admin', 'administrator',
  // Mail system and operating system names
  'mailer-daemon', 'mailerdaemon', 'root', 'daemon', 'nobody', 'bin', 'sys', 'operator', 'system', 'mail', 'dmarc', 'dmarc-reports',
  'bounce', 'bounces', 'no-reply', 'noreply', 'do-not-reply', 'donotreply', 'list', 'lists', 'listmaster', 'owner',
  // Client setup host names, so nobody can impersonate them
  'autoconfig', 'autodiscover', 'mta-sts', 'ssl-admin', 'help', 'helpdesk', 'billing', 'echo',
]);

/** The role addresses every hosted domain has, pointing to the domain's admin (RFC 2142 §4, RFC 5321 §4.5.1). */
export const REQUIRED_ROLE_ALIASES = ['postmaster', 'abuse'] as const;

export const isReservedLocalPart = (local: string): boolean => RESERVED_LOCAL_PARTS.has(local.toLowerCase());
