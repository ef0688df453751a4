/**
 * Server responses: status responses (tagged and untagged OK/NO/BAD, PREAUTH, BYE), data responses and
 * continuation requests, with response codes.
 *
 * RFC 9051 §7 and §9: response = *(continue-req / response-data) response-done; resp-cond-state = ("OK" / "NO" /
 * "BAD") SP resp-text; resp-text = ["[" resp-text-code "]" SP] [text]; continue-req = "+" SP (resp-text /
 * base64) CRLF; §7.1 (status responses), §7.5 (continuation). Text is sanitised: CR, LF and other controls can
 * never reach the wire from it (response injection).
 */
import type { ResponseCodeName } from './codes.js';
import { ChunkWriter, encodeValue, joinChunks, type Chunk, type EncodeOptions, type ImapValue } from './encode.js';
import type { ImapSyntaxError } from './errors.js';

export type StatusKind = 'OK' | 'NO' | 'BAD';

export interface ResponseCodeValue {
  readonly name: ResponseCodeName | (string & {});
  /** Arguments after the name, space separated (`[UIDVALIDITY 3857529045]`, `[PERMANENTFLAGS (\Seen \*)]`). */
  readonly args?: readonly ImapValue[];
}

export type ImapResponse =
  | { readonly kind: 'tagged'; readonly tag: string; readonly status: StatusKind; readonly code?: ResponseCodeValue; readonly text: string }
  | { readonly kind: 'untagged'; readonly status: StatusKind | 'PREAUTH' | 'BYE'; readonly code?: ResponseCodeValue; readonly text: string }
  /** `* ` followed by the values (`* 23 EXISTS`, `* LIST (\HasNoChildren) "/" INBOX`, `* 1 FETCH (…)`). */
  | { readonly kind: 'data'; readonly values: readonly ImapValue[] }
  /** `+ text`, or `+ base64` during AUTHENTICATE (`base64` may be empty: "+ "). */
  | { readonly kind: 'continuation'; readonly text?: string; readonly base64?: string };

const TAG = /^[\x21\x23\x24\x26\x27\x2c-\x5b\x5d-\x7a\x7c\x7e]+$/;
const CODE_NAME = /^[A-Z0-9][A-Z0-9.-]*$/i;
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function ok(tag: string, text: string, code?: ResponseCodeValue): ImapResponse {
  return { kind: 'tagged', tag, status: 'OK', text, ...(code ? { code } : {}) };
}

export function no(tag: string, text: string, code?: ResponseCodeValue): ImapResponse {
  return { kind: 'tagged', tag, status: 'NO', text, ...(code ? { code } : {}) };
}

export function bad(tag: string, text: string, code?: ResponseCodeValue): ImapResponse {
  return { kind: 'tagged', tag, status: 'BAD', text, ...(code ? { code } : {}) };
}

export function untagged(status: StatusKind | 'PREAUTH' | 'BYE', text: string, code?: ResponseCodeValue): ImapResponse {
  return { kind: 'untagged', status, text, ...(code ? { code } : {}) };
}

export function data(...values: ImapValue[]): ImapResponse {
  return { kind: 'data', values };
}

export function continuation(text = 'Ready'): ImapResponse {
  return { kind: 'continuation', text };
}

/** The BAD for a syntax error: tagged when its tag is known, untagged otherwise (RFC 9051 §7.1.3). */
export function syntaxErrorResponse(error: ImapSyntaxError): ImapResponse {
  const code = error.responseCode ? { name: error.responseCode } : undefined;
  return error.tag !== undefined && TAG.test(error.tag) ? bad(error.tag, error.message, code) : untagged('BAD', error.message, code);
}

/** Response text: one line of printable text (controls become spaces), never empty. */
export function sanitiseText(text: string): string {
  // eslint-disable-next-line no-control-regex
  const clean = text.replace(/[\x00-\x1f\x7f]+/g, ' ').trim();
  return clean === '' ? 'done' : clean;
}

/** Encodes a response, CRLF included. Streamed literals stay placeholders. */
export function encodeResponseChunks(response: ImapResponse, options: EncodeOptions = {}): Chunk[] {
  const out = new ChunkWriter();
  const utf8 = options.utf8 ?? false;
  switch (response.kind) {
    case 'tagged':
    case 'untagged': {
      const tag = response.kind === 'tagged' ? response.tag : '*';
      if (response.kind === 'tagged' && !TAG.test(tag)) throw new RangeError(`invalid tag ${JSON.stringify(tag)}`);
      out.text(`${tag} ${response.status} `);
      if (response.code) encodeCode(response.code, out, utf8);
      out.text(sanitiseText(response.text));
      break;
    }
    case 'data':
      out.text('* ');
      response.values.forEach((v, i) => {
        if (i > 0) out.text(' ');
        encodeValue(v, out, utf8);
      });
      break;
    case 'continuation':
      if (response.base64 !== undefined) {
        if (!BASE64.test(response.base64)) throw new RangeError('continuation data is not base64');
        out.text(`+ ${response.base64}`);
      } else out.text(`+ ${sanitiseText(response.text ?? 'Ready')}`);
      break;
  }
  out.text('\r\n');
  return out.finish();
}

/** Encodes a response into one buffer (no streamed literals). */
export function encodeResponse(response: ImapResponse, options: EncodeOptions = {}): Buffer {
  return joinChunks(encodeResponseChunks(response, options));
}

function encodeCode(code: ResponseCodeValue, out: ChunkWriter, utf8: boolean): void {
  if (!CODE_NAME.test(code.name)) throw new RangeError(`invalid response code ${JSON.stringify(code.name)}`);
  out.text(`[${code.name}`);
  for (const arg of code.args ?? []) {
    out.text(' ');
    encodeValue(arg, out, utf8);
  }
  out.text('] ');
}
