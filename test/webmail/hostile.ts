/**
 * A corpus of hostile HTML mails for the webmail. Every network reference points at the canary (`CANARY` is
 * replaced by `http://127.0.0.1:PORT`), so the test can tell whether anything was fetched; every script would
 * open a dialog.
 */
export interface HostileMail {
  name: string;
  subject: string;
  from: string;
  html: string;
}

export const HOSTILE: HostileMail[] = [
  {
    name: 'scripts and event handlers',
    subject: 'Scripts',
    from: 'Mallory <mallory@evil.test>',
    html: `<p>hello</p><script>alert('script')</script><script src="CANARY/script.js"></script>
<img src="x" onerror="alert('onerror')"><body onload="alert('onload')"><div onmouseover="alert('mouse')" style="height:300px">hover</div>
<details open ontoggle="alert('toggle')"><summary>x</summary></details><img src=x:alert(1) onerror=eval(src)>
<input autofocus onfocus="alert('focus')"><marquee onstart="alert('marquee')">m</marquee>`,
  },
  {
    name: 'SVG animate and use tricks',
    subject: 'SVG',
    from: 'svg@evil.test',
    html: `<svg xmlns="http://www.w3.org/2000/svg" width="200" height="100"><animate onbegin="alert('onbegin')" attributeName="x" dur="1s"/>
<a><animate attributeName="href" values="javascript:alert('animate')"/><text x="10" y="20">click me</text></a>
<use href="CANARY/sprite.svg#x"/><use xlink:href="data:image/svg+xml;base64,PHN2ZyB4bWxucz0naHR0cDovL3d3dy53My5vcmcvMjAwMC9zdmcnIGlkPSd4Jz48aW1hZ2UgaHJlZj0neCcgb25lcnJvcj0nYWxlcnQoMSknLz48L3N2Zz4=#x"/>
<image href="CANARY/svgimage.png"/><set attributeName="onmouseover" to="alert('set')"/><foreignObject><iframe src="javascript:alert('fo')"></iframe></foreignObject></svg>
<svg onload="alert('svgload')"></svg>`,
  },
  {
    name: 'javascript: and data: URLs',
    subject: 'Links',
    from: 'links@evil.test',
    html: `<a href="javascript:alert('js')" id="a1">one</a> <a href=" JaVaScRiPt:alert('js2')">two</a> <a href="&#106;avascript:alert('js3')">three</a>
<a href="data:text/html,<script>alert('data')</script>">four</a><form action="javascript:alert('form')"><button formaction="javascript:alert('fa')">go</button></form>
<iframe src="javascript:alert('iframe')"></iframe><iframe srcdoc="<script>parent.alert('srcdoc')</script>"></iframe><object data="CANARY/object"></object><embed src="CANARY/embed">
<math href="javascript:alert('math')"><mtext>m</mtext></math><a href="CANARY/click" ping="CANARY/ping">ping</a>`,
  },
  {
    name: 'CSS url() and @import',
    subject: 'Styles',
    from: 'css@evil.test',
    html: `<style>@import url(CANARY/import.css); @import 'CANARY/import2.css'; body{background:url(CANARY/bg.png)} @font-face{font-family:x;src:url(CANARY/font.woff)} p{font-family:x}</style>
<link rel="stylesheet" href="CANARY/link.css"><link rel="prefetch" href="CANARY/prefetch"><link rel="preload" as="image" href="CANARY/preload.png">
<div style="background-image:url(CANARY/inline.png);width:100px;height:100px">bg</div><div style="background:url('CANARY/inline2.png')">bg2</div>
<div style="list-style-image:url(CANARY/list.png);cursor:url(CANARY/cursor.cur),auto;border-image:url(CANARY/border.png) 30">x</div>
<div style="background-image:image-set('CANARY/set.png' 1x)">set</div><p>text</p>`,
  },
  {
    name: 'position:fixed overlay',
    subject: 'Your session expired',
    from: 'overlay@evil.test',
    html: `<div style="position:fixed;top:0;left:0;width:100vw;height:100vh;background:#c00;z-index:2147483647;color:#fff;font-size:40px" id="overlay">Your session has expired. Sign in again below.</div>
<form action="CANARY/phish" method="post"><input name="password" type="password"><button>Sign in</button></form>`,
  },
  {
    name: 'remote images and media',
    subject: 'Newsletter',
    from: 'news@tracker.test',
    html: `<p>Deals!</p><img src="CANARY/pixel.gif" width="1" height="1"><img srcset="CANARY/srcset.png 1x"><picture><source srcset="CANARY/source.png"><img src="CANARY/pic.png"></picture>
<video poster="CANARY/poster.png" src="CANARY/video.mp4"></video><audio src="CANARY/audio.mp3" autoplay></audio><table background="CANARY/table.png"><tr><td background="CANARY/td.png">x</td></tr></table>
<input type="image" src="CANARY/input.png"><img src="//127.0.0.1:CANARYPORT/protocol-relative.png"><meta http-equiv="refresh" content="0;url=CANARY/refresh"><base href="CANARY/">
<img src="relative.png"><meta http-equiv="Content-Security-Policy" content="default-src *">`,
  },
];

/** A malicious From display name and subject (they must show as text, never as markup). */
export const HOSTILE_HEADERS = {
  from: '"<img src=x onerror=alert(\'from\')> Bank <security@bank.test>" <evil@attacker.test>',
  subject: `<script>alert('subject')</script><img src=CANARY/subject.png>`,
};

export function hostileMessage(m: HostileMail, canary: string, n: number): string {
  const html = m.html.replaceAll('CANARYPORT', new URL(canary).port).replaceAll('CANARY', canary);
  return [
    `From: ${m.from}`,
    'To: postmaster@example.test',
    `Subject: ${m.subject}`,
    'Date: Sat, 28 Nov 2026 12:00:00 +0000',
    `Message-ID: <hostile-${n}@evil.test>`,
    'MIME-Version: 1.0',
    'Content-Type: text/html; charset=utf-8',
    '',
    html,
    '',
  ].join('\r\n');
}
