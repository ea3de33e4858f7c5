/**
 * SES v2 transport: one `SendEmail` (Simple content: subject, HTML + text, custom headers) per email.
 * SDK retries are off (`maxAttempts: 1`): BullMQ owns retries, so a throttled or failed call is
 * classified (`classifySendError`) and handed back to the send processor at once. Sockets are kept
 * alive and pooled so high send rates do not pay a TCP/TLS handshake per email.
 */
import http from 'node:http';
import https from 'node:https';
import { SendEmailCommand, SESv2Client, type SendEmailCommandInput } from '@aws-sdk/client-sesv2';
import { toOneLine } from '@tickler/domain';
import { classifySendError, TransientSendError } from './errors';
import type { MailTransport, OutgoingEmail } from './mail-transport';

export interface SesTransportOptions {
  region: string;
  /** A local or alternative SES endpoint (SES_ENDPOINT), e.g. http://127.0.0.1:8005. */
  endpoint?: string;
  /** Default configuration set (SES_CONFIGURATION_SET); a message may name another. */
  configurationSet?: string;
  /** Explicit credentials; by default the SDK's provider chain (dummy ones for a custom endpoint). */
  credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** Most sockets to SES at once (default 256). */
  maxSockets?: number;
  /** Per-request timeout in ms (default 15 000); a timed-out request is a transient failure. */
  requestTimeoutMs?: number;
  /** Serialize request bodies with native JSON (default true; see `useNativeJsonBody`). */
  nativeJson?: boolean;
}

/** SES accepts tag names/values of ASCII letters, digits, `_`, `-`, `.`, `@`: anything else is replaced. */
function tagValue(value: string): string {
  return value.replace(/[^A-Za-z0-9_.@-]/g, '_').slice(0, 256) || '_';
}

/**
 * The SendEmail input of a message. Every header value (From, Subject, List-*) passes through the
 * domain's `toOneLine` here, the last place before the wire: whatever a composer built, no CR/LF,
 * control or bidi formatting character reaches a header.
 */
export function toSendEmailInput(message: OutgoingEmail, defaultConfigurationSet?: string): SendEmailCommandInput {
  const configurationSet = message.configurationSet ?? defaultConfigurationSet;
  return {
    FromEmailAddress: toOneLine(message.from),
    Destination: { ToAddresses: [message.to] },
    Content: {
      Simple: {
        Subject: { Data: toOneLine(message.subject), Charset: 'UTF-8' },
        Body: { Html: { Data: message.html, Charset: 'UTF-8' }, Text: { Data: message.text, Charset: 'UTF-8' } },
        Headers: Object.entries(message.headers).map(([Name, Value]) => ({ Name, Value: toOneLine(Value) })),
      },
    },
    EmailTags: Object.entries(message.tags).map(([Name, Value]) => ({ Name: tagValue(Name), Value: tagValue(Value) })),
    ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
  };
}

/**
 * The SDK's schema serializer escapes JSON one character at a time in JavaScript, which for a
 * 15 KB HTML body costs more than the rest of the SDK call (measured: ~460 µs per send with it,
 * ~310 µs + ~35 µs of native JSON.stringify without). SendEmail's REST-JSON body is exactly its
 * input (every member is a body member), so the command is serialized with empty bodies and this
 * build-step middleware swaps in `JSON.stringify` of the real input before the request is signed.
 * `ses-transport.test.ts` checks that the body equals what the SDK itself would send.
 */
const realBodies = new WeakMap<object, Buffer>();

function useNativeJsonBody(client: SESv2Client): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      const body = realBodies.get(args.input as object);
      const request = args.request as { body?: unknown; headers?: Record<string, string> } | undefined;
      if (body !== undefined && request?.headers) {
        request.body = body;
        request.headers['content-length'] = String(body.length);
      }
      return next(args);
    },
    { step: 'build', name: 'ticklerNativeJsonBody', priority: 'high' },
  );
}

/** A SendEmailCommand whose bodies are serialized natively (see `useNativeJsonBody`). */
function nativeJsonCommand(input: SendEmailCommandInput): SendEmailCommand {
  const simple = input.Content?.Simple;
  if (!simple) return new SendEmailCommand(input);
  const light: SendEmailCommandInput = { ...input, Content: { Simple: { ...simple, Body: { Html: { Data: '' }, Text: { Data: '' } } } } };
  // Encoded once: the signer hashes and the socket writes these bytes without further copies.
  realBodies.set(light, Buffer.from(JSON.stringify(input), 'utf8'));
  return new SendEmailCommand(light);
}

/** Creates the SES v2 transport. Call `close()` on shutdown to release pooled sockets. */
export function makeSesTransport(options: SesTransportOptions): MailTransport {
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets ?? 256, keepAliveMsecs: 10_000 };
  const httpAgent = new http.Agent(agentOptions);
  const httpsAgent = new https.Agent(agentOptions);
  const credentials = options.credentials ?? (options.endpoint ? { accessKeyId: 'local', secretAccessKey: 'local' } : undefined);
  const client = new SESv2Client({
    region: options.region,
    maxAttempts: 1,
    // The middleware stack is resolved once, not per send (measured: a fifth of the CPU of each send).
    cacheMiddleware: true,
    ...(options.endpoint ? { endpoint: options.endpoint } : {}),
    ...(credentials ? { credentials } : {}),
    requestHandler: { httpAgent, httpsAgent, connectionTimeout: 5_000, requestTimeout: options.requestTimeoutMs ?? 15_000, throwOnRequestTimeout: true },
  });
  const nativeJson = options.nativeJson !== false;
  if (nativeJson) useNativeJsonBody(client);
  return {
    async send(message) {
      let output;
      try {
        const input = toSendEmailInput(message, options.configurationSet);
        output = await client.send(nativeJson ? nativeJsonCommand(input) : new SendEmailCommand(input));
      } catch (err) {
        throw classifySendError(err);
      }
      // Accepted without an id cannot be recorded for bounce matching; retrying would duplicate, so it is transient only in theory.
      if (!output.MessageId) throw new TransientSendError('SES accepted the email but returned no MessageId');
      return { messageId: output.MessageId };
    },
    close() {
      client.destroy();
      httpAgent.destroy();
      httpsAgent.destroy();
    },
  };
}
