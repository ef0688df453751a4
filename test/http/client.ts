/** A tiny HTTP(S) client for the web tests: no redirects followed, a cookie jar, the self-signed certificate accepted. */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  setCookies: string[];
}

export function fetchRaw(url: string, opts: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Answer> {
  const u = new URL(url);
  const req = (u.protocol === 'https:' ? httpsRequest : httpRequest)(u, { method: opts.method ?? 'GET', headers: opts.headers, rejectUnauthorized: false });
  return new Promise((resolve, reject) => {
    req.on('response', (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => {
        const sc = res.headers['set-cookie'];
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, setCookies: sc ?? [] });
      });
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

/** A browser-like session: keeps cookies, posts forms. */
export class Browser {
  readonly cookies = new Map<string, string>();
  constructor(readonly origin: string) {}

  async get(path: string): Promise<Answer> {
    return this.keep(await fetchRaw(this.origin + path, { headers: this.headers() }));
  }

  async post(path: string, form: Record<string, string>): Promise<Answer> {
    return this.keep(
      await fetchRaw(this.origin + path, {
        method: 'POST',
        headers: { ...this.headers(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form).toString(),
      }),
    );
  }

  /** The CSRF token of the first form on a page. */
  static csrf(page: string): string {
    const m = /name="csrf" value="([^"]+)"/.exec(page);
    if (!m) throw new Error(`no csrf field in ${page.slice(0, 500)}`);
    return m[1]!;
  }

  private headers(): Record<string, string> {
    return this.cookies.size ? { cookie: [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {};
  }

  private keep(a: Answer): Answer {
    for (const c of a.setCookies) {
      const [kv] = c.split(';');
      const i = kv!.indexOf('=');
      const k = kv!.slice(0, i);
      const v = kv!.slice(i + 1);
      if (v === '' || /Max-Age=0/i.test(c)) this.cookies.delete(k);
      else this.cookies.set(k, v);
    }
    return a;
  }
}
