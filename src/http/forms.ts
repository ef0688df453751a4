/** Guards shared by every form handler: CSRF and the signed-in session. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { html } from './escape.js';
import { sendPage, formOf, type Form, type WebContext } from './context.js';
import { sameToken, type SignedIn } from './session.js';

/** A GET page that needs a session: redirects to sign-in otherwise. */
export async function signedInOrRedirect(ctx: WebContext, req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
  const who = await ctx.sessions.current(req);
  if (!who) {
    await reply.code(303).header('location', '/signin').send();
    return null;
  }
  return who;
}

export function csrfRefused(reply: FastifyReply, who: SignedIn | null = null): FastifyReply {
  return sendPage(reply, 'This form has expired', html`<p class="error">The form could not be accepted (its security token is missing or old). Go back, reload the page and try again.</p>`, who, 403);
}

/** A POST that needs a session and its CSRF token. */
export async function signedInPost(ctx: WebContext, req: FastifyRequest, reply: FastifyReply): Promise<{ who: SignedIn; form: Form } | null> {
  const form = formOf(req);
  const who = await ctx.sessions.current(req);
  // Without a session there is no token to match: the request is refused like a forged one.
  if (!who || !sameToken(who.session.csrfToken, form.csrf)) {
    await csrfRefused(reply, who);
    return null;
  }
  return { who, form };
}
