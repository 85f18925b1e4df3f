// The process logger: JSON lines on stdout, secrets redacted, client-supplied values bounded (SPEC §13.6, §14).
import pino, { type Logger } from 'pino';
import type { Config } from './config.js';
import { boundText, boundValue } from './domain/audit/bounded-values.js';

/** An error stack keeps this many bytes; every other string of a log line is bounded to 1 KiB (SPEC §14). */
const MAX_LOGGED_STACK_BYTES = 16_384;

/** A log line's fields with client values bounded; `err` is left to {@link boundedErrorSerializer}. */
function boundLogFields(fields: Record<string, unknown>): Record<string, unknown> {
  const { err, ...rest } = fields;
  const bounded = boundValue(rest) as Record<string, unknown>;
  return err === undefined ? bounded : { ...bounded, err };
}

/** pino's error serializer, with the message and fields bounded; the stack repeats the bounded message and keeps 16 KiB. */
function boundedErrorSerializer(error: Error): unknown {
  const serialized = pino.stdSerializers.err(error) as unknown as Record<string, unknown>;
  const { stack, ...rest } = serialized;
  const bounded = boundValue(rest) as Record<string, unknown>;
  if (typeof stack !== 'string') return bounded;
  const message = typeof rest['message'] === 'string' ? rest['message'] : '';
  const withBoundedMessage = message === '' ? stack : stack.replace(message, String(bounded['message']));
  return { ...bounded, stack: boundText(withBoundedMessage, MAX_LOGGED_STACK_BYTES) };
}

/** The process logger: JSON lines, ISO time, secrets redacted wherever they might appear, client values bounded. */
export function createLogger(config: Pick<Config, 'logLevel'>, destination?: pino.DestinationStream): Logger {
  return pino(
    {
      level: config.logLevel,
      base: null,
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }), log: boundLogFields },
      serializers: { err: boundedErrorSerializer },
      redact: {
        paths: ['req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers.cookie', '*.password', '*.clientSecret', '*.client_secret', '*.secretHash', '*.passwordHash'],
        censor: '********',
      },
    },
    destination,
  );
}
