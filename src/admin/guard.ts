/** Who may use the console: a signed-in mailbox with the admin role. Every POST also carries the CSRF token. */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { sendPage, type Form, type WebContext } from '../http/context.js';
import { html } from '../http/escape.js';
import { signedInOrRedirect, signedInPost } from '../http/forms.js';
import type { SignedIn } from '../http/session.js';

function forbidden(reply: FastifyReply, who: SignedIn): FastifyReply {
  return sendPage(reply, 'Administrators only', html`<p class="error" id="forbidden">This page is for the people who run this server. You are signed in as ${who.mailbox.address}, which is not an administrator.</p>`, who, 403);
}

export async function adminPage(ctx: WebContext, req: FastifyRequest, reply: FastifyReply): Promise<SignedIn | null> {
  const who = await signedInOrRedirect(ctx, req, reply);
  if (!who) return null;
  if (who.mailbox.role !== 'admin' || who.mailbox.disabled) {
    await forbidden(reply, who);
    return null;
  }
  return who;
}

export async function adminPost(ctx: WebContext, req: FastifyRequest, reply: FastifyReply): Promise<{ who: SignedIn; form: Form } | null> {
  const r = await signedInPost(ctx, req, reply);
  if (!r) return null;
  if (r.who.mailbox.role !== 'admin' || r.who.mailbox.disabled) {
    await forbidden(reply, r.who);
    return null;
  }
  return r;
}
