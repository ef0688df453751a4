/**
 * ENVELOPE and BODY/BODYSTRUCTURE as structured data, and their encoders.
 *
 * RFC 3501 §7.4.2 and RFC 9051 §7.5.2, §9: envelope = "(" env-date SP env-subject SP env-from SP env-sender SP
 * env-reply-to SP env-to SP env-cc SP env-bcc SP env-in-reply-to SP env-message-id ")"; an address list is
 * "(" 1*address ")" (no space between addresses) or NIL; address = "(" addr-name SP addr-adl SP addr-mailbox SP addr-host ")"; a group starts
 * with (NIL NIL "name" NIL) and ends with (NIL NIL NIL NIL). body = "(" (body-type-1part / body-type-mpart) ")";
 * body-type-mpart = 1*body SP media-subtype [SP body-ext-mpart] (no space between the parts); body-fields =
 * body-fld-param SP body-fld-id SP body-fld-desc SP body-fld-enc SP body-fld-octets; text parts add
 * body-fld-lines; message/rfc822 (and message/global, RFC 6532/9051) adds envelope, body and lines. BODYSTRUCTURE
 * appends the extension data (md5, disposition, language, location); BODY never does.
 *
 * The server computes these once at delivery (header values raw, as in the message, per RFC 9051 §7.5.2) and this
 * module only encodes them.
 */
import { NIL, list, nstr, num, str, type ImapValue } from './encode.js';

export interface EnvelopeAddress {
  /** The display name (raw header text, may contain encoded-words). */
  readonly name: string | null;
  /** The source route (obsolete; almost always null). */
  readonly adl: string | null;
  readonly mailbox: string | null;
  readonly host: string | null;
}

/** A group of addresses (RFC 5322 §3.4 group syntax), encoded with its start and end markers. */
export interface EnvelopeGroup {
  readonly group: string;
  readonly members: readonly EnvelopeAddress[];
}

export type EnvelopeEntry = EnvelopeAddress | EnvelopeGroup;

export interface Envelope {
  readonly date: string | null;
  readonly subject: string | null;
  readonly from: readonly EnvelopeEntry[] | null;
  /** RFC 9051 §7.5.2: when there is no Sender (or Reply-To), the server sends From's value; do so before encoding. */
  readonly sender: readonly EnvelopeEntry[] | null;
  readonly replyTo: readonly EnvelopeEntry[] | null;
  readonly to: readonly EnvelopeEntry[] | null;
  readonly cc: readonly EnvelopeEntry[] | null;
  readonly bcc: readonly EnvelopeEntry[] | null;
  readonly inReplyTo: string | null;
  readonly messageId: string | null;
}

/** body-fld-param: attribute/value pairs in order, or null (NIL). */
export type BodyParams = ReadonlyArray<readonly [string, string]> | null;

export interface BodyDisposition {
  readonly type: string;
  readonly params: BodyParams;
}

/** body-fld-lang: NIL, one language, or a list. */
export type BodyLanguage = string | readonly string[] | null;

/** Extension data common to every part (BODYSTRUCTURE only). */
export interface CommonExtension {
  readonly disposition: BodyDisposition | null;
  readonly language: BodyLanguage;
  readonly location: string | null;
}

export interface SinglePartExtension extends CommonExtension {
  readonly md5: string | null;
}

export interface BodyFields {
  readonly params: BodyParams;
  readonly id: string | null;
  readonly description: string | null;
  /** Content-Transfer-Encoding, e.g. "7BIT" (RFC 9051: a string; 7BIT when absent). */
  readonly encoding: string;
  /** Octets of the body as encoded. */
  readonly size: number;
}

export type BodyStructure =
  /** A non-text, non-message part (image/png, application/pdf…). */
  | { readonly kind: 'basic'; readonly type: string; readonly subtype: string; readonly fields: BodyFields; readonly extension?: SinglePartExtension }
  /** `type` is the media type as the message spells it (default "TEXT"); subtypes likewise. */
  | { readonly kind: 'text'; readonly type?: string; readonly subtype: string; readonly fields: BodyFields; readonly lines: number; readonly extension?: SinglePartExtension }
  /** message/rfc822 or message/global: the encapsulated message's envelope and structure. */
  | {
      readonly kind: 'message';
      /** Default "MESSAGE". */
      readonly type?: string;
      readonly subtype: string;
      readonly fields: BodyFields;
      readonly envelope: Envelope;
      readonly body: BodyStructure;
      readonly lines: number;
      readonly extension?: SinglePartExtension;
    }
  | {
      readonly kind: 'multipart';
      readonly subtype: string;
      readonly parts: readonly BodyStructure[];
      readonly extension?: CommonExtension & { readonly params: BodyParams };
    };

function addressValue(a: EnvelopeAddress): ImapValue {
  return list([nstr(a.name), nstr(a.adl), nstr(a.mailbox), nstr(a.host)]);
}

function addressListValue(entries: readonly EnvelopeEntry[] | null): ImapValue {
  if (entries === null || entries.length === 0) return NIL;
  const items: ImapValue[] = [];
  for (const entry of entries) {
    if ('group' in entry) {
      items.push(list([NIL, NIL, str(entry.group), NIL]));
      items.push(...entry.members.map(addressValue));
      items.push(list([NIL, NIL, NIL, NIL]));
    } else items.push(addressValue(entry));
  }
  // RFC 9051 §9: "(" 1*address ")": the addresses follow each other with no space between them.
  return list([{ kind: 'concat', items }]);
}

export function envelopeValue(e: Envelope): ImapValue {
  return list([
    nstr(e.date),
    nstr(e.subject),
    addressListValue(e.from),
    addressListValue(e.sender),
    addressListValue(e.replyTo),
    addressListValue(e.to),
    addressListValue(e.cc),
    addressListValue(e.bcc),
    nstr(e.inReplyTo),
    nstr(e.messageId),
  ]);
}

function paramsValue(params: BodyParams): ImapValue {
  if (params === null || params.length === 0) return NIL;
  return list(params.flatMap(([k, v]) => [str(k), str(v)]));
}

function dispositionValue(d: BodyDisposition | null): ImapValue {
  return d === null ? NIL : list([str(d.type), paramsValue(d.params)]);
}

function languageValue(l: BodyLanguage): ImapValue {
  if (l === null) return NIL;
  if (typeof l === 'string') return str(l);
  return l.length === 0 ? NIL : list(l.map((x) => str(x)));
}

function fieldsValues(f: BodyFields): ImapValue[] {
  return [paramsValue(f.params), nstr(f.id), nstr(f.description), str(f.encoding), num(f.size)];
}

function commonExtensionValues(x: CommonExtension): ImapValue[] {
  return [dispositionValue(x.disposition), languageValue(x.language), nstr(x.location)];
}

/**
 * Encodes a body structure: `extended` for BODYSTRUCTURE (extension data included, with NIL for a part that has
 * none), not for BODY.
 */
export function bodyStructureValue(b: BodyStructure, extended: boolean): ImapValue {
  if (b.kind === 'multipart') {
    const items: ImapValue[] = [{ kind: 'concat', items: b.parts.map((p) => bodyStructureValue(p, extended)) }, str(b.subtype)];
    if (extended) {
      const x = b.extension ?? { params: null, disposition: null, language: null, location: null };
      items.push(paramsValue(x.params), ...commonExtensionValues(x));
    }
    return list(items);
  }
  const items: ImapValue[] = [str(b.type ?? (b.kind === 'text' ? 'TEXT' : 'MESSAGE')), str(b.subtype), ...fieldsValues(b.fields)];
  if (b.kind === 'message') items.push(envelopeValue(b.envelope), bodyStructureValue(b.body, extended), num(b.lines));
  if (b.kind === 'text') items.push(num(b.lines));
  if (extended) {
    const x = b.extension ?? { md5: null, disposition: null, language: null, location: null };
    items.push(nstr(x.md5), ...commonExtensionValues(x));
  }
  return list(items);
}
