/** Runs a Python 3 script (Debian's /usr/bin/python3: smtplib, imaplib, poplib, dkimpy) with arguments. */
import { spawn } from 'node:child_process';

export function python(script: string, args: string[] = [], timeoutMs = 30_000): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', ['-c', script, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? -1, stdout, stderr });
    });
  });
}

/** Python that delivers one message to our MX: argv = port, from, to, subject, body. */
export const SEND_VIA_MX = `
import smtplib, sys
port, sender, rcpt, subject, body = sys.argv[1:6]
msg = 'From: %s\\r\\nTo: %s\\r\\nSubject: %s\\r\\nMessage-ID: <%s@remote.test>\\r\\n\\r\\n%s\\r\\n' % (sender, rcpt, subject, subject.replace(' ', '-'), body)
s = smtplib.SMTP('127.0.0.1', int(port))
s.ehlo('client.remote.test')
s.sendmail(sender, [rcpt], msg)
s.quit()
`;
