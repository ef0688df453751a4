/** The certificate groups a configuration and its hosted domains call for. */
import type { Config } from '../config/load.js';
import type { Store } from '../store/types.js';
import { certificateGroups, type CertificateGroup } from './names.js';

export async function wantedGroups(store: Store, config: Config): Promise<CertificateGroup[]> {
  const domains = (await store.listDomains()).map((d) => d.name);
  // src/http does not serve MTA-STS policies yet: no mta-sts.<domain> names until it does.
  return certificateGroups({ hostnames: [config.public.hostname, config.server.hostname], domains, mtaStsDomains: [] });
}
