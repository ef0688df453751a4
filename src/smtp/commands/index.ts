/** The command table: every verb with the states it is valid in (STYLE.md habit 2). */
import type { CommandTable } from './spec.js';
import { EHLO, HELO, STARTTLS } from './hello.js';
import { AUTH } from './auth.js';
import { MAIL, RCPT, RSET } from './envelope.js';
import { BDAT, DATA } from './data.js';
import { EXPN, HELP, NOOP, QUIT, VRFY } from './misc.js';

export const COMMANDS: CommandTable = { EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, RSET, DATA, BDAT, NOOP, QUIT, VRFY, EXPN, HELP };

export { continueAuth } from './auth.js';
export { finishBdatChunk, finishData } from './data.js';
