/**
 * Attachments uploaded in the webmail before the message is sent. They wait in the blob store outside the quota, so
 * they are bounded: per mailbox at most `uploadsPendingBytes` waiting (a clear refusal past it), and a sweep forgets
 * those older than `uploadKeepMs` that no draft saved since still names (saving a draft refreshes its uploads);
 * sending forgets the ones it used (the message holds its own copy of the bytes).
 */
import { createHash } from 'node:crypto';
import { UserError } from '../lib/errors.js';
import { webmailLimits } from '../lib/limits.js';
import { StoreError } from '../store/errors.js';
import type { Store } from '../store/types.js';

const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024)} MB`;

/** Stores the bytes of an upload of the mailbox and records it; returns its blob id (the BlobStore's SHA-256). */
export async function recordUpload(store: Store, mailboxId: number, data: Buffer, now: number): Promise<string> {
  const blobId = createHash('sha256').update(data).digest('hex');
  try {
    // Recorded first: refused past the bound before a byte is stored. A sweep forgets a record whose put then failed.
    await store.addUpload(mailboxId, blobId, data.length, now, webmailLimits.uploadsPendingBytes);
  } catch (e) {
    if (e instanceof StoreError && e.code === 'allowance')
      throw new UserError(
        'upload-limit',
        `attachments waiting to be sent may take at most ${mb(webmailLimits.uploadsPendingBytes)}: send or discard a message with attachments first (unsent ones are removed after a day)`,
      );
    throw e;
  }
  const stored = await store.blobs.put(data);
  if (stored !== blobId) throw new Error(`blob store named the bytes ${stored}, not their SHA-256`);
  return blobId;
}

/** Forgets uploads that waited longer than `uploadKeepMs` (their bytes go when no message holds them). */
export function sweepUploads(store: Store, now: number): Promise<number> {
  return store.expireUploads(now - webmailLimits.uploadKeepMs);
}

/** Runs {@link sweepUploads} every `uploadSweepMs`; returns the function that stops it. */
export function startUploadSweeper(store: Store, now: () => number, onError: (e: unknown) => void): () => void {
  const timer = setInterval(() => void sweepUploads(store, now()).catch(onError), webmailLimits.uploadSweepMs);
  timer.unref();
  return () => clearInterval(timer);
}
