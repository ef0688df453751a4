/** The server-side HTML sanitiser: hostile markup loses everything active, remote content is blocked until allowed. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { safeStyle, sanitiseHtml } from '../../src/webmail/sanitise.js';

const clean = (html: string, allowRemote = false) => sanitiseHtml(html, { allowRemote, cidUrl: (c) => (c === 'logo@x' ? '/inline/logo' : null) });

describe('sanitiseHtml', () => {
  const hostile: Array<[string, string]> = [
    ['script', '<p>hi</p><script>alert(1)</script>'],
    ['event handler', '<img src=x onerror="alert(1)"><body onload=alert(1)><div onmouseover="alert(1)">x</div>'],
    ['javascript: link', '<a href="javascript:alert(1)">x</a><a href=" JaVaScRiPt:alert(1)">y</a><a href="&#106;avascript:alert(1)">z</a>'],
    ['data: link', '<a href="data:text/html,<script>alert(1)</script>">x</a>'],
    ['svg animate', '<svg><animate onbegin="alert(1)" attributeName="x" dur="1s"/><a><animate attributeName="href" values="javascript:alert(1)"/><text y="20">click</text></a></svg>'],
    ['svg use', '<svg><use href="data:image/svg+xml;base64,PHN2ZyBpZD0neCcgeG1sbnM9J2h0dHA6Ly93d3cudzMub3JnLzIwMDAvc3ZnJz48aW1hZ2UgaHJlZj0nMScgb25lcnJvcj0nYWxlcnQoMSknLz48L3N2Zz4=#x"/></svg>'],
    ['iframe/object/embed', '<iframe src="javascript:alert(1)"></iframe><object data="x.swf"></object><embed src="x">'],
    ['form', '<form action="https://evil.test"><input name=p><button>go</button></form>'],
    ['meta refresh and base', '<meta http-equiv="refresh" content="0;url=https://evil.test"><base href="https://evil.test/">'],
    ['style element and import', '<style>@import url(https://evil.test/x.css); body{background:url(https://evil.test/bg)}</style><p>x</p>'],
    ['link stylesheet', '<link rel="stylesheet" href="https://evil.test/x.css">'],
    ['math', '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>'],
    ['noscript mutation', '<noscript><p title="</noscript><img src=x onerror=alert(1)>">'],
  ];
  for (const [name, html] of hostile) {
    it(`removes ${name}`, () => {
      const out = clean(html).html;
      assert.doesNotMatch(out, /<script|onerror|onload|onbegin|onmouseover|javascript:|<svg|<iframe|<object|<embed|<form|<meta|<base|<style|<link|@import|<math|data:text/i, out);
    });
  }

  it('drops position overlays and url() from inline styles, keeps ordinary declarations', () => {
    const out = clean('<div style="position:fixed;top:0;left:0;width:100%;height:100%;z-index:99999;color:red;background-image:url(https://evil.test/x)">x</div>');
    assert.match(out.html, /color: red/);
    assert.doesNotMatch(out.html, /position|z-index|url\(|evil/);
    assert.equal(out.remoteBlocked, true);
    assert.equal(safeStyle('color: blue; behavior: url(x.htc); width: expression(alert(1))'), 'color: blue');
  });

  it('blocks remote images until allowed, and says so', () => {
    const blocked = clean('<p>news</p><img src="https://tracker.test/pixel.gif" alt="pixel">');
    assert.equal(blocked.remoteBlocked, true);
    assert.doesNotMatch(blocked.html, /tracker\.test/);
    assert.match(blocked.html, /data-blocked/);
    const allowed = clean('<img src="https://tracker.test/pixel.gif">', true);
    assert.equal(allowed.remoteBlocked, false);
    assert.match(allowed.html, /src="https:\/\/tracker\.test\/pixel\.gif"/);
    assert.equal(clean('<p>plain</p>').remoteBlocked, false);
  });

  it('points cid: images at the message part and drops unknown ones', () => {
    const out = clean('<img src="cid:logo@x"><img src="cid:unknown@x">').html;
    assert.match(out, /src="\/inline\/logo"/);
    assert.equal((out.match(/src=/g) ?? []).length, 1);
  });

  it('opens links in a new context without referrer or opener', () => {
    assert.match(clean('<a href="https://example.test/">x</a>').html, /target="_blank" rel="noopener noreferrer"/);
  });
});
