/**
 * Outpost alone, quickly: fill one folder (N, default 20,000) and time the big-folder round three times; with
 * PROFILE=dir the server runs under --cpu-prof. For profiling between full runs of bench.ts.
 *   N=20000 PROFILE=/tmp/prof node --import tsx bench/imap-dovecot/quick-folder.ts
 */
import { startOutpost, PASSWORD } from './servers.js';
import { folderRound } from './folder.js';
const N = Number(process.env.N ?? 20000);
const o = await startOutpost(['bench'], { ...(process.env.PROFILE ? { profileDir: process.env.PROFILE } : {}), fill: { user: 'bench', count: N } });
console.log('fill', o.fillSeconds.toFixed(1));
const ep = o.endpoint;
for (let r = 0; r < 3; r++) console.log(JSON.stringify(await folderRound(ep, o.user('bench'), PASSWORD, N)));
await o.stop();
