/**
 * HTML mail made safe to show: sanitize-html with an allow-list of presentational elements and attributes, then
 * shown by the browser in a sandboxed iframe (no scripts) under its own strict CSP (see body.ts). Two layers: a
 * hole in one is still closed by the other.
 *
 * - No script, no event handler, no `javascript:`/`vbscript:`/`data:` link, no form, no frame, no SVG or MathML
 *   (animate/use/foreignObject tricks), no <style> element or <link> (CSS @import and url() go with them), no
 *   <base>, no <meta refresh>.
 * - Inline `style` attributes keep only plain declarations: `position` (fixed overlays that cover our own UI),
 *   `url(`, `expression(`, `@import`, `behavior` and `-moz-binding` are dropped.
 * - Remote content (http/https images, background images) is removed unless the user allowed it for this message
 *   or this sender; the answer says whether anything was blocked so the reader can offer "show images".
 * - `cid:` images (RFC 2392) point at our own part URL for the message, so inline pictures appear.
 * - Links open in a new browsing context without referrer or opener.
 */
import sanitizeHtml from 'sanitize-html';

export interface SanitiseOptions {
  /** Show remote images (the user allowed them for this message or sender). */
  allowRemote: boolean;
  /** The URL serving the inline part with this Content-ID (without angle brackets), or null when there is none. */
  cidUrl: (contentId: string) => string | null;
}

export interface SanitisedHtml {
  html: string;
  /** Remote images or styles were removed (offer to show them). */
  remoteBlocked: boolean;
}

const ALLOWED_TAGS = [
  'a', 'abbr', 'address', 'b', 'bdi', 'bdo', 'blockquote', 'br', 'caption', 'center', 'cite', 'code', 'col', 'colgroup',
  'dd', 'del', 'details', 'dfn', 'div', 'dl', 'dt', 'em', 'figcaption', 'figure', 'font', 'h1', 'h2', 'h3', 'h4', 'h5',
  'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol', 'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strike',
  'strong', 'sub', 'summary', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th', 'thead', 'tr', 'tt', 'u', 'ul', 'var', 'wbr',
];

const COMMON_ATTRS = ['style', 'title', 'dir', 'lang', 'align', 'valign', 'width', 'height', 'bgcolor', 'color', 'class'];

/** Declarations that can reach the network, run code or escape the message's box. */
const UNSAFE_STYLE = /url\s*\(|expression\s*\(|@import|behavior\s*:|-moz-binding|javascript:|image-set\s*\(|\\/i;
const UNSAFE_PROPERTY = /^(position|z-index|inset|top|left|right|bottom|content|cursor|filter|mask|clip-path|transform)$/i;

/** Keeps the safe declarations of an inline style attribute. */
export function safeStyle(style: string): string {
  const out: string[] = [];
  for (const decl of style.split(';')) {
    const i = decl.indexOf(':');
    if (i < 1) continue;
    const prop = decl.slice(0, i).trim();
    const value = decl.slice(i + 1).trim();
    if (!/^-?[a-z][a-z-]*$/i.test(prop) || UNSAFE_PROPERTY.test(prop) || UNSAFE_STYLE.test(value) || UNSAFE_STYLE.test(prop)) continue;
    out.push(`${prop.toLowerCase()}: ${value}`);
  }
  return out.join('; ');
}

const REMOTE = /^(https?:)?\/\//i;

export function sanitiseHtml(input: string, o: SanitiseOptions): SanitisedHtml {
  let remoteBlocked = false;
  const html = sanitizeHtml(input, {
    allowedTags: ALLOWED_TAGS,
    allowedAttributes: {
      '*': COMMON_ATTRS,
      a: ['href', 'name', 'target', 'rel'],
      img: ['src', 'alt', 'border', 'hspace', 'vspace', 'data-blocked'],
      table: ['border', 'cellpadding', 'cellspacing', 'summary'],
      td: ['colspan', 'rowspan', 'nowrap'],
      th: ['colspan', 'rowspan', 'nowrap', 'scope'],
      col: ['span'],
      colgroup: ['span'],
      ol: ['start', 'type', 'reversed'],
      ul: ['type'],
      li: ['value'],
      font: ['face', 'size'],
      blockquote: ['cite'],
    },
    // Elements whose whole content goes (not only the tag): their text is code or styling, never reading matter.
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'svg', 'math', 'object', 'iframe', 'frameset', 'noembed', 'xmp'],
    disallowedTagsMode: 'discard',
    allowedSchemes: ['http', 'https', 'mailto', 'tel'],
    allowedSchemesByTag: { img: ['http', 'https', 'cid'] },
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    parseStyleAttributes: false,
    transformTags: {
      a: (tagName, attribs) => {
        const out: Record<string, string> = { ...attribs, target: '_blank', rel: 'noopener noreferrer' };
        return { tagName, attribs: out };
      },
      img: (tagName, attribs) => {
        const src = (attribs.src ?? '').trim();
        const out: Record<string, string> = { ...attribs };
        if (/^cid:/i.test(src)) {
          const url = o.cidUrl(decodeURIComponent(src.slice(4)).replace(/^<|>$/g, ''));
          if (url) out.src = url;
          else delete out.src;
        } else if (REMOTE.test(src)) {
          if (!o.allowRemote) {
            remoteBlocked = true;
            delete out.src;
            out.alt = out.alt ?? '';
            out['data-blocked'] = '1';
          }
        } else delete out.src;
        return { tagName, attribs: out };
      },
      '*': (tagName, attribs) => {
        if (attribs.style === undefined) return { tagName, attribs };
        if (/url\s*\(/i.test(attribs.style)) remoteBlocked = remoteBlocked || /url\s*\(\s*['"]?\s*(https?:)?\/\//i.test(attribs.style);
        const style = safeStyle(attribs.style);
        const out = { ...attribs };
        if (style) out.style = style;
        else delete out.style;
        return { tagName, attribs: out };
      },
    },
    allowedClasses: {},
  });
  // Inline-style url() is never kept (even when remote content is allowed): background images are decoration.
  return { html, remoteBlocked };
}

/** The document put in the iframe: the sanitised body in a minimal page with readable defaults. */
export function frameDocument(body: string): string {
  return `<!doctype html><html><head><meta charset="utf-8"><meta name="referrer" content="no-referrer"><style>body{font:15px/1.45 system-ui,sans-serif;color:#1a1a1a;background:#fff;margin:12px;overflow-wrap:anywhere}img{max-width:100%;height:auto}img[data-blocked]{display:inline-block;min-width:16px;min-height:16px;background:#eee;outline:1px dashed #999}pre{white-space:pre-wrap}blockquote{border-left:3px solid #ccc;margin:0 0 0 4px;padding-left:10px;color:#444}</style></head><body>${body}</body></html>`;
}
