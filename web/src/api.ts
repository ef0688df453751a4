/** The webmail's JSON API client: same-origin fetch with the session cookie, the CSRF header on every change. */

export interface Person {
  name: string;
  address: string;
}

export interface Folder {
  id: number;
  name: string;
  specialUse: string | null;
  role: 'inbox' | 'drafts' | 'sent' | 'archive' | 'junk' | 'trash' | null;
  messages: number;
  unread: number;
}

export interface ListItem {
  uid: number;
  folderId?: number;
  subject: string;
  from: Person[];
  to: Person[];
  date: number;
  size: number;
  seen: boolean;
  flagged: boolean;
  answered: boolean;
  draft: boolean;
  messageId: string | null;
  /** Conversation view: messages in the conversation, how many unread, and their UIDs. */
  count?: number;
  unreadCount?: number;
  uids?: number[];
}

export interface Page {
  total?: number;
  items: ListItem[];
  next: string | null;
  truncated?: boolean;
}

export interface Attachment {
  path: string;
  filename: string;
  type: string;
  size: number;
  contentId: string | null;
  inline: boolean;
}

export interface Message {
  folderId: number;
  uid: number;
  flags: string[];
  subject: string;
  from: Person[];
  to: Person[];
  cc: Person[];
  replyTo: Person[];
  date: number | null;
  internalDate: number;
  messageId: string | null;
  text: string;
  hasHtml: boolean;
  remoteBlocked: boolean;
  senderTrusted: boolean;
  attachments: Attachment[];
  conversation: Array<ListItem & { folderId: number }>;
}

export interface Me {
  address: string;
  csrfToken: string;
  addresses: string[];
  displayName: string;
  signature: string;
}

export interface ReplyDraft {
  to: string[];
  cc: string[];
  subject: string;
  text: string;
  inReplyTo: string | null;
  references: string[];
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

let csrf = '';

export function setCsrf(token: string): void {
  csrf = token;
}

async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`/webmail/api${path}`, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { 'x-csrf-token': csrf } : { 'content-type': 'application/json', 'x-csrf-token': csrf },
    body: body === undefined ? null : JSON.stringify(body),
  });
  if (res.status === 401) {
    location.href = '/signin';
    throw new ApiError(401, 'Signed out');
  }
  if (res.status === 204) return undefined as T;
  const data = (await res.json().catch(() => ({}))) as { message?: string };
  if (!res.ok) throw new ApiError(res.status, data.message ?? `The server answered ${res.status}.`);
  return data as T;
}

export const get = <T>(path: string) => call<T>('GET', path);
export const post = <T>(path: string, body: unknown = {}) => call<T>('POST', path, body);

export function messageUrl(folderId: number, uid: number): string {
  return `/webmail/api/folders/${folderId}/messages/${uid}`;
}

export interface Uploaded {
  token: string;
  name: string;
  type: string;
  size: number;
}

/** Uploads one file as raw bytes with progress (XMLHttpRequest reports upload progress; fetch does not). */
export function upload(file: File, onProgress: (fraction: number) => void): Promise<Uploaded> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', '/webmail/api/uploads');
    xhr.setRequestHeader('x-csrf-token', csrf);
    xhr.setRequestHeader('content-type', file.type || 'application/octet-stream');
    xhr.setRequestHeader('x-filename', encodeURIComponent(file.name));
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      try {
        const data = JSON.parse(xhr.responseText) as Uploaded & { message?: string };
        if (xhr.status === 201) resolve(data);
        else reject(new ApiError(xhr.status, data.message ?? 'The upload was refused.'));
      } catch {
        reject(new ApiError(xhr.status, xhr.status === 413 ? 'The file is too large.' : 'The upload failed.'));
      }
    };
    xhr.onerror = () => reject(new ApiError(0, 'The upload failed: no connection.'));
    xhr.send(file);
  });
}
