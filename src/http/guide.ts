/**
 * The settings guide: this person's exact settings, then step-by-step instructions for each client, each step with
 * a drawing of that client's screen showing their own values under that client's own labels.
 */
import { html, type Safe } from './escape.js';
import { screen, THEMES, type Row } from './illustrations.js';
import type { ClientSettings, ServerSetting } from './settings.js';

export interface Step {
  text: Safe;
  picture?: Safe;
}

export interface ClientGuide {
  id: string;
  name: string;
  steps: Step[];
}

function fallbackNote(s: ClientSettings): Safe {
  const alt = s.outgoing.slice(1);
  return alt.length
    ? html` If sending fails on some network, change only the outgoing port to ${alt.map((a, i) => html`${i ? ' or ' : ''}<strong>${a.port}</strong> with ${a.security}`)}.`
    : html``;
}

export function clientGuides(s: ClientSettings, name: string): ClientGuide[] {
  const imap: ServerSetting = s.imap ?? { role: 'imaps', kind: 'imap', host: s.host, port: 993, security: 'SSL/TLS' };
  const smtp: ServerSetting = s.smtp ?? { role: 'submissions', kind: 'smtp', host: s.host, port: 465, security: 'SSL/TLS' };
  const port = (n: number) => String(n);
  const tb = THEMES.thunderbird;
  const thunderbird: ClientGuide = {
    id: 'thunderbird',
    name: 'Thunderbird',
    steps: [
      {
        text: html`Open <em>Account Settings</em> → <em>Account Actions</em> → <em>Add Mail Account…</em> and fill in your name, address and password. Thunderbird usually finds everything else by itself; if it does, click <em>Done</em>.`,
        picture: screen('Set Up Your Existing Email Address', [
          { kind: 'field', label: 'Your full name', value: name },
          { kind: 'field', label: 'Email address', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'check', label: 'Remember password', checked: true },
          { kind: 'button', label: 'Continue' },
        ], tb),
      },
      {
        text: html`If it asks, click <em>Configure manually</em> and type exactly this (connection security <strong>${imap.security}</strong>, authentication method <strong>Normal password</strong>).${fallbackNote(s)}`,
        picture: screen('Manual configuration', [
          { kind: 'heading', label: 'Incoming server' },
          { kind: 'select', label: 'Protocol', value: 'IMAP' },
          { kind: 'field', label: 'Hostname', value: imap.host },
          { kind: 'field', label: 'Port', value: port(imap.port) },
          { kind: 'select', label: 'Connection security', value: imap.security },
          { kind: 'select', label: 'Authentication method', value: 'Normal password' },
          { kind: 'field', label: 'Username', value: s.address },
          { kind: 'heading', label: 'Outgoing server' },
          { kind: 'field', label: 'Hostname', value: smtp.host },
          { kind: 'field', label: 'Port', value: port(smtp.port) },
          { kind: 'select', label: 'Connection security', value: smtp.security },
          { kind: 'select', label: 'Authentication method', value: 'Normal password' },
          { kind: 'field', label: 'Username', value: s.address },
          { kind: 'button', label: 'Done' },
        ], tb),
      },
    ],
  };
  const ol = THEMES.outlook;
  const outlookWindows: ClientGuide = {
    id: 'outlook-windows',
    name: 'Outlook for Windows',
    steps: [
      {
        text: html`<em>File</em> → <em>Add Account</em>, type your address, open <em>Advanced options</em>, tick <em>Let me set up my account manually</em>, click <em>Connect</em> and choose <em>IMAP</em>.`,
        picture: screen('Outlook', [
          { kind: 'field', label: 'Email address', value: s.address },
          { kind: 'check', label: 'Let me set up my account manually', checked: true },
          { kind: 'button', label: 'Connect' },
        ], ol),
      },
      {
        text: html`Fill in the servers. Leave <em>Require logon using Secure Password Authentication (SPA)</em> unticked.${fallbackNote(s)}`,
        picture: screen('IMAP Account Settings', [
          { kind: 'heading', label: 'Incoming mail' },
          { kind: 'field', label: 'Server', value: imap.host },
          { kind: 'field', label: 'Port', value: port(imap.port) },
          { kind: 'select', label: 'Encryption method', value: imap.security === 'SSL/TLS' ? 'SSL/TLS' : 'STARTTLS' },
          { kind: 'check', label: 'Require logon using Secure Password Authentication (SPA)', checked: false },
          { kind: 'heading', label: 'Outgoing mail' },
          { kind: 'field', label: 'Server', value: smtp.host },
          { kind: 'field', label: 'Port', value: port(smtp.port) },
          { kind: 'select', label: 'Encryption method', value: smtp.security === 'SSL/TLS' ? 'SSL/TLS' : 'STARTTLS' },
          { kind: 'check', label: 'Require logon using Secure Password Authentication (SPA)', checked: false },
          { kind: 'button', label: 'Next' },
        ], ol),
      },
      { text: html`Type your password when asked and click <em>Connect</em>.` },
    ],
  };
  const outlookMac: ClientGuide = {
    id: 'outlook-mac',
    name: 'Outlook for Mac',
    steps: [
      {
        text: html`<em>Outlook</em> → <em>Settings</em> → <em>Accounts</em> → <em>+</em> → <em>New Account</em>, type your address, then choose <em>IMAP/POP</em> and fill in:`,
        picture: screen('Enter your account information', [
          { kind: 'select', label: 'Type', value: 'IMAP' },
          { kind: 'field', label: 'Email Address', value: s.address },
          { kind: 'field', label: 'Username', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'field', label: 'Incoming Server', value: `${imap.host}` },
          { kind: 'field', label: 'Incoming port', value: port(imap.port) },
          { kind: 'check', label: 'Use SSL to connect (recommended)', checked: true },
          { kind: 'field', label: 'Outgoing Server', value: `${smtp.host}` },
          { kind: 'field', label: 'Outgoing port', value: port(smtp.port) },
          { kind: 'check', label: 'Use SSL to connect (recommended)', checked: true },
          { kind: 'button', label: 'Add Account' },
        ], ol),
      },
    ],
  };
  const mac = THEMES.mac;
  const appleMail: ClientGuide = {
    id: 'apple-mail',
    name: 'Apple Mail (macOS)',
    steps: [
      {
        text: html`The easiest way: download your <a href="/apple/mail.mobileconfig?emailaddress=${encodeURIComponent(s.address)}">settings profile</a>, open it, and approve it in <em>System Settings</em> → <em>Privacy &amp; Security</em> → <em>Profiles</em>. Or by hand: <em>Mail</em> → <em>Add Account…</em> → <em>Other Mail Account…</em>:`,
        picture: screen('Add a Mail account', [
          { kind: 'field', label: 'Name:', value: name },
          { kind: 'field', label: 'Email Address:', value: s.address },
          { kind: 'field', label: 'Password:', value: 'x', secret: true },
          { kind: 'button', label: 'Sign In' },
        ], mac),
      },
      {
        text: html`Mail says it cannot verify the account name or password: fill in the servers and click <em>Sign In</em> again.`,
        picture: screen('Add a Mail account', [
          { kind: 'field', label: 'Email Address:', value: s.address },
          { kind: 'field', label: 'User Name:', value: s.address },
          { kind: 'field', label: 'Password:', value: 'x', secret: true },
          { kind: 'select', label: 'Account Type:', value: 'IMAP' },
          { kind: 'field', label: 'Incoming Mail Server:', value: imap.host },
          { kind: 'field', label: 'Outgoing Mail Server:', value: smtp.host },
          { kind: 'button', label: 'Sign In' },
        ], mac),
      },
      {
        text: html`Then in <em>Mail</em> → <em>Settings</em> → <em>Accounts</em> → <em>Server Settings</em>, untick <em>Automatically manage connection settings</em> and check the ports.${fallbackNote(s)}`,
        picture: screen('Server Settings', [
          { kind: 'heading', label: 'Incoming Mail Server (IMAP)' },
          { kind: 'field', label: 'Port:', value: port(imap.port) },
          { kind: 'check', label: 'Use TLS/SSL', checked: true },
          { kind: 'select', label: 'Authentication:', value: 'Password' },
          { kind: 'heading', label: 'Outgoing Mail Server (SMTP)' },
          { kind: 'field', label: 'Port:', value: port(smtp.port) },
          { kind: 'check', label: 'Use TLS/SSL', checked: true },
          { kind: 'select', label: 'Authentication:', value: 'Password' },
        ], mac),
      },
    ],
  };
  const ios = THEMES.ios;
  const iphone: ClientGuide = {
    id: 'iphone',
    name: 'iPhone and iPad',
    steps: [
      {
        text: html`The easiest way: on the account page, choose <em>Set up my phone</em> and scan the QR code with the camera; it brings a profile with its own app password, so you never type your main password on the phone. Or by hand: <em>Settings</em> → <em>Mail</em> → <em>Accounts</em> → <em>Add Account</em> → <em>Other</em> → <em>Add Mail Account</em>:`,
        picture: screen('New Account', [
          { kind: 'field', label: 'Name', value: name },
          { kind: 'field', label: 'Email', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'field', label: 'Description', value: s.address },
          { kind: 'button', label: 'Next' },
        ], ios),
      },
      {
        text: html`Choose <em>IMAP</em> and fill in both servers (the user name is your full address).`,
        picture: screen('New Account', [
          { kind: 'heading', label: 'Incoming Mail Server' },
          { kind: 'field', label: 'Host Name', value: imap.host },
          { kind: 'field', label: 'User Name', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'heading', label: 'Outgoing Mail Server' },
          { kind: 'field', label: 'Host Name', value: smtp.host },
          { kind: 'field', label: 'User Name', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'button', label: 'Next' },
        ], ios),
      },
      {
        text: html`Afterwards check <em>Account</em> → <em>Advanced</em> (incoming) and <em>SMTP</em> → the server (outgoing): <em>Use SSL</em> on, ports below.${fallbackNote(s)}`,
        picture: screen('Advanced', [
          { kind: 'check', label: 'Use SSL', checked: true },
          { kind: 'select', label: 'Authentication', value: 'Password' },
          { kind: 'field', label: 'Server Port (incoming)', value: port(imap.port) },
          { kind: 'field', label: 'Server Port (outgoing)', value: port(smtp.port) },
        ], ios),
      },
    ],
  };
  const android: ClientGuide = {
    id: 'android',
    name: 'Android (Gmail app)',
    steps: [
      {
        text: html`In the Gmail app: your picture → <em>Add another account</em> → <em>Other</em>, type your address, choose <em>Manual setup</em> and <em>Personal (IMAP)</em>, then your password.`,
        picture: screen('Incoming server settings', [
          { kind: 'field', label: 'Username', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'field', label: 'Server', value: imap.host },
          { kind: 'field', label: 'Port', value: port(imap.port) },
          { kind: 'select', label: 'Security type', value: imap.security },
          { kind: 'button', label: 'Next' },
        ], THEMES.android),
      },
      {
        text: html`Outgoing: keep <em>Require sign-in</em> on.${fallbackNote(s)}`,
        picture: screen('Outgoing server settings', [
          { kind: 'check', label: 'Require sign-in', checked: true },
          { kind: 'field', label: 'Username', value: s.address },
          { kind: 'field', label: 'Password', value: 'x', secret: true },
          { kind: 'field', label: 'SMTP server', value: smtp.host },
          { kind: 'field', label: 'Port', value: port(smtp.port) },
          { kind: 'select', label: 'Security type', value: smtp.security },
          { kind: 'button', label: 'Next' },
        ], THEMES.android),
      },
    ],
  };
  return [thunderbird, outlookWindows, outlookMac, appleMail, iphone, android];
}

export function settingsTable(s: ClientSettings): Safe {
  const row = (what: string, x: ServerSetting, preferred: boolean) =>
    html`<tr><td>${what}${preferred ? '' : ' (alternative)'}</td><td class="v">${x.host}</td><td class="v">${x.port}</td><td class="v">${x.security}</td></tr>`;
  const kinds = { imap: 'Incoming, IMAP', pop3: 'Incoming, POP3', smtp: 'Outgoing, SMTP' } as const;
  const seen = new Set<string>();
  const rows = [...s.incoming, ...s.outgoing].map((x) => {
    const first = !seen.has(x.kind);
    seen.add(x.kind);
    return row(kinds[x.kind], x, first);
  });
  return html`<table class="sheet" id="settings">
<tr><th>What</th><th>Server</th><th>Port</th><th>Security</th></tr>
${rows}
<tr><td>User name (everywhere)</td><td class="v" colspan="3">${s.address}</td></tr>
<tr><td>Password</td><td colspan="3">your password (or an app password for that device); authentication "normal password"</td></tr>
</table>`;
}

export function travellingSection(s: ClientSettings): Safe {
  const send = s.smtp;
  return html`<section id="travelling"><h2>When you travel: the outgoing mail problem</h2>
<p>On a hotel, café or friend's network your mail program can often still <em>read</em> mail but not <em>send</em> it. That happens when a program sends through port 25 without signing in: most networks block port 25, and no server should pass on mail from someone who has not signed in.</p>
<p>With the settings above you do not need to change anything when you travel: your program signs in${send ? html` on port <strong>${send.port}</strong> with ${send.security}` : ''}, which works from any network.${s.outgoing.length > 1 ? html` If one network still blocks it, switch only the outgoing port to ${s.outgoing.slice(1).map((o, i) => html`${i ? ' or ' : ''}<strong>${o.port}</strong> (${o.security})`)} and keep everything else.` : ''}</p>
<p>To prove it works, send yourself a message from your program and check that it arrives. If it does not, your account page lists what your device tried and what to change.</p>
</section>`;
}
