/** The message functions the SMTP server uses, from src/mail (one import point for src/smtp). */
export { normaliseLineEndings, countReceived } from '../mail/normalise.js';
export { receivedHeader, type ReceivedOptions } from '../mail/received.js';
export { extractMeta } from '../mail/meta.js';
export { prepareSubmission, type SubmissionOptions, type SubmissionResult } from '../mail/submission.js';
