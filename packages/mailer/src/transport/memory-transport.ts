/** In-memory transport for unit tests: records sent emails; can be told to fail the next sends. */
import type { MailTransport, OutgoingEmail } from './mail-transport';

export interface MemoryTransport extends MailTransport {
  readonly sent: Array<OutgoingEmail & { messageId: string }>;
  /** The next `send` calls throw these errors, in order (then sending succeeds again). */
  failNext(...errors: Error[]): void;
  clear(): void;
}

export function makeMemoryTransport(): MemoryTransport {
  const sent: Array<OutgoingEmail & { messageId: string }> = [];
  const failures: Error[] = [];
  let counter = 0;
  return {
    sent,
    failNext(...errors) {
      failures.push(...errors);
    },
    clear() {
      sent.length = 0;
      failures.length = 0;
    },
    async send(message) {
      const failure = failures.shift();
      if (failure) throw failure;
      counter += 1;
      const messageId = `memory-${counter}`;
      sent.push({ ...message, messageId });
      return { messageId };
    },
  };
}
