/**
 * A sans-I/O SASL exchange shared by SMTP AUTH (challenges as `334 …`), IMAP AUTHENTICATE and POP3 AUTH (`+ …`).
 *
 * RFC 4422 §3 (the exchange, initial responses, §3.5 aborting), RFC 4954 §4 (SMTP: "=" is an empty initial
 * response, "*" cancels → 501), RFC 9051 §6.2.2 and RFC 4959 (IMAP), RFC 5034 §4 (POP3), RFC 4616 (PLAIN),
 * draft-murchison-sasl-login (LOGIN). Only password mechanisms are offered; the server must offer them only
 * over TLS (RFC 4954 §4: 538 5.7.11 otherwise) and decide whether a non-empty authzid is allowed.
 *
 * Usage: `const x = new SaslExchange(); let step = x.start(mech, ir)`; while `step.kind === 'challenge'`, send
 * the challenge and `step = x.respond(line)`. One exchange object per AUTH command; it never throws on input.
 */
import { LOGIN_PASSWORD_CHALLENGE, LOGIN_USERNAME_CHALLENGE, decodeLoginResponse } from './login.js';
import { SaslSyntaxError, decodePlainResponse, type SaslCredentials } from './plain.js';

export type { SaslCredentials } from './plain.js';
export { SaslSyntaxError, decodeBase64Response, decodePlainResponse, encodePlainResponse } from './plain.js';
export { LOGIN_PASSWORD_CHALLENGE, LOGIN_USERNAME_CHALLENGE, decodeLoginResponse } from './login.js';

/** The mechanisms we implement, in the order to advertise them. */
export const saslMechanisms = ['PLAIN', 'LOGIN'] as const;
export type SaslMechanism = (typeof saslMechanisms)[number];

/**
 * Why an exchange failed. SMTP maps them (RFC 4954 §4, §6) to: `unsupported-mechanism` 504 5.5.4, `cancelled`
 * 501 5.0.0, `malformed` 501 5.5.2, `too-long` 500 5.5.6. Wrong credentials are not known here (535 5.7.8).
 */
export type SaslFailureReason = 'unsupported-mechanism' | 'cancelled' | 'malformed' | 'too-long';

/** One step of the exchange. `challenge` is base64 (possibly empty) to send after `334 ` or `+ `. */
export type SaslStep =
  | { readonly kind: 'challenge'; readonly challenge: string }
  | { readonly kind: 'success'; readonly credentials: SaslCredentials }
  | { readonly kind: 'failure'; readonly reason: SaslFailureReason; readonly message: string };

/** Where an exchange is: per-exchange state, as a discriminated union. */
type ExchangeState =
  | { readonly kind: 'idle' }
  | { readonly kind: 'plain' }
  | { readonly kind: 'login-username' }
  | { readonly kind: 'login-password'; readonly username: string }
  | { readonly kind: 'finished' };

/** True when `name` (any case) is a mechanism we implement. */
export function isSaslMechanism(name: string): name is SaslMechanism {
  return (saslMechanisms as readonly string[]).includes(name.toUpperCase());
}

export class SaslExchange {
  #state: ExchangeState = { kind: 'idle' };

  /** True once the exchange ended in success or failure. */
  get finished(): boolean {
    return this.#state.kind === 'finished';
  }

  /**
   * Starts the exchange for `mechanism` (any case), with the optional initial response as sent on the command
   * line (base64, or "=" for an empty one).
   */
  start(mechanism: string, initialResponse?: string): SaslStep {
    if (this.#state.kind !== 'idle') throw new Error('SaslExchange: start() called twice');
    switch (mechanism.toUpperCase()) {
      case 'PLAIN':
        // RFC 4616 §2: the client sends first; without an initial response, the server sends an empty challenge.
        this.#state = { kind: 'plain' };
        return initialResponse === undefined ? challenge('') : this.respond(initialResponse);
      case 'LOGIN':
        this.#state = { kind: 'login-username' };
        return initialResponse === undefined ? challenge(LOGIN_USERNAME_CHALLENGE) : this.respond(initialResponse);
      default:
        return this.#fail('unsupported-mechanism', 'unsupported authentication mechanism');
    }
  }

  /** Takes the client's answer to the last challenge: a base64 line, or "*" to cancel (RFC 4954 §4). */
  respond(line: string | Buffer): SaslStep {
    const state = this.#state;
    if (state.kind === 'idle' || state.kind === 'finished') throw new Error(`SaslExchange: respond() while ${state.kind}`);
    const text = typeof line === 'string' ? line : line.toString('latin1');
    if (text === '*') return this.#fail('cancelled', 'authentication cancelled');
    try {
      switch (state.kind) {
        case 'plain':
          return this.#succeed(decodePlainResponse(text));
        case 'login-username':
          this.#state = { kind: 'login-password', username: decodeLoginResponse(text, 'username') };
          return challenge(LOGIN_PASSWORD_CHALLENGE);
        case 'login-password':
          return this.#succeed({ authzid: '', username: state.username, password: decodeLoginResponse(text, 'password') });
      }
    } catch (e) {
      if (e instanceof SaslSyntaxError) return this.#fail(e.code, e.message);
      return this.#fail('malformed', 'invalid authentication response');
    }
  }

  #succeed(credentials: SaslCredentials): SaslStep {
    this.#state = { kind: 'finished' };
    return { kind: 'success', credentials };
  }

  #fail(reason: SaslFailureReason, message: string): SaslStep {
    this.#state = { kind: 'finished' };
    return { kind: 'failure', reason, message };
  }
}

function challenge(base64: string): SaslStep {
  return { kind: 'challenge', challenge: base64 };
}
