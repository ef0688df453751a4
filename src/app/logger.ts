/**
 * Structured JSON logs (pino). Every connection gets a child logger; passwords and AUTH payloads never reach a log:
 * the redact list below is the last line of defence, the protocol code redacts AUTH lines itself.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

export type { Logger };

export function createLogger(level: string, destination?: DestinationStream): Logger {
  return pino(
    {
      level,
      base: { app: 'outpost' },
      timestamp: pino.stdTimeFunctions.isoTime,
      redact: { paths: ['password', '*.password', 'secret', '*.secret', 'authorization', '*.authorization'], censor: '[redacted]' },
    },
    destination ?? pino.destination({ dest: 1, sync: true }),
  );
}
