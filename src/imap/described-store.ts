/**
 * The store as the delivery paths see it (issue 5 Deliver 4, issue 6 Deliver 2): every message stored through
 * `deliver` (SMTP accept, vacation replies), `append` (IMAP APPEND, webmail drafts and Sent) or a queue
 * settlement's notice (bounces and delay DSNs delivered locally) gets its description, ENVELOPE and
 * BODYSTRUCTURE plus the SEARCH text, computed once before the store's commit, outside its write transaction.
 * The composition root wraps the store with it; nothing else changes for the callers.
 */
import type { Delivery, MessageMeta, Store } from '../store/types.js';

/** What is computed from the octets: `structure` (opaque JSON for the store) and `text` (the SEARCH index's). */
export type Describe = (raw: Buffer) => Pick<MessageMeta, 'structure' | 'text'>;

export function describingStore(store: Store, describe: Describe): Store {
  const described = (raw: Buffer, meta: MessageMeta): MessageMeta => (meta.structure != null ? meta : { ...meta, ...describe(raw) });
  const delivery = (d: Delivery): Delivery => ({ ...d, meta: described(d.raw, d.meta) });
  const overrides: Partial<Store> = {
    deliver: (d) => store.deliver(delivery(d)),
    append: (folderId, raw, meta, flags, internalDate) => store.append(folderId, raw, described(raw, meta), flags, internalDate),
    settleAttempts: (owner, s) => store.settleAttempts(owner, s.notice ? { ...s, notice: delivery(s.notice) } : s),
  };
  return new Proxy(store, {
    get(target, key) {
      if (typeof key === 'string' && key in overrides) return overrides[key as keyof Store];
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
