/**
 * The store conformance suite: every Store implementation must pass it. It is written against the interfaces in
 * ../types.ts only. Run it from a test file: `runStoreConformance(factory)`.
 */
import { describe } from 'node:test';
import { StoreHarness, type StoreFactory } from './harness.js';
import { accountCases } from './accounts.js';
import { mailCases } from './mail.js';
import { queueAndMiscCases } from './queue-misc.js';
import { concurrencyCases } from './concurrency.js';
import { queueDeliveryCases } from './queue-delivery.js';
import { searchTextCases } from './search-text.js';
import { certCases } from './certs.js';
import { webmailCases } from './webmail.js';
import { webmailListCases } from './webmail-list.js';
import { imapViewCases } from './imap-view.js';

export type { StoreFactory, StoreDatabase } from './harness.js';

export function runStoreConformance(factory: StoreFactory): void {
  const h = new StoreHarness(factory);
  describe(`store conformance: ${factory.name}`, () => {
    accountCases(h);
    mailCases(h);
    queueAndMiscCases(h);
    concurrencyCases(h);
    queueDeliveryCases(h);
    searchTextCases(h);
    certCases(h);
    webmailCases(h);
    webmailListCases(h);
    imapViewCases(h);
  });
}
