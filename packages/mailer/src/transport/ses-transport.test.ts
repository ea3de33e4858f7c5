import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { makeSesTransport } from './ses-transport';
import { PermanentSendError, ThrottledError } from './errors';
import type { OutgoingEmail } from './mail-transport';

interface Captured { path: string; headers: http.IncomingHttpHeaders; body: string }

let server: http.Server;
let endpoint: string;
const captured: Captured[] = [];
let reply: { status: number; type?: string } = { status: 200 };

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      captured.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      if (reply.status !== 200) {
        res.writeHead(reply.status, { 'content-type': 'application/json', 'x-amzn-ErrorType': reply.type ?? 'InternalFailure' }).end('{"message":"no"}');
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(`{"MessageId":"m-${captured.length}"}`);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(() => {
  captured.length = 0;
  reply = { status: 200 };
});

const message: OutgoingEmail = {
  from: 'Tickler <reminders@example.com>',
  to: 'ann@acme.example',
  subject: 'Grüße — your “license” expires',
  html: `<!doctype html><p class="x">Hello "Ann" \\ ${'é'.repeat(3)}\n\t<a href="https://x.test/?a=1&amp;b=2">x</a></p>`,
  text: 'Hello\r\nAnn\u2028',
  headers: { 'List-Unsubscribe': '<https://t.example/u/abc>', 'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click' },
  tags: { delivery: '42', source: 'reminder', odd: 'a b/c' },
};

describe('SES v2 transport', () => {
  it('sends the same SendEmail body with the native JSON fast path as the SDK serializer does', async () => {
    const fast = makeSesTransport({ region: 'eu-west-1', endpoint, configurationSet: 'events' });
    const sdk = makeSesTransport({ region: 'eu-west-1', endpoint, configurationSet: 'events', nativeJson: false });
    expect(await fast.send(message)).toEqual({ messageId: 'm-1' });
    expect(await sdk.send(message)).toEqual({ messageId: 'm-2' });
    const [a, b] = captured as [Captured, Captured];
    expect(a.path).toBe('/v2/email/outbound-emails');
    expect(JSON.parse(a.body)).toEqual(JSON.parse(b.body));
    expect(Number(a.headers['content-length'])).toBe(Buffer.byteLength(a.body));
    expect(a.headers.authorization).toMatch(/^AWS4-HMAC-SHA256 /);
    expect(JSON.parse(a.body)).toMatchObject({
      FromEmailAddress: message.from,
      Destination: { ToAddresses: ['ann@acme.example'] },
      ConfigurationSetName: 'events',
      Content: { Simple: { Subject: { Data: message.subject }, Body: { Html: { Data: message.html }, Text: { Data: message.text } } } },
      EmailTags: [{ Name: 'delivery', Value: '42' }, { Name: 'source', Value: 'reminder' }, { Name: 'odd', Value: 'a_b_c' }],
    });
    fast.close?.();
    sdk.close?.();
  });

  it('gives each of many concurrent sends its own body, signature and answer (the SDK handler is cached)', async () => {
    const transport = makeSesTransport({ region: 'eu-west-1', endpoint });
    const recipients = Array.from({ length: 40 }, (_, i) => `user-${i}@acme.example`);
    const answers = await Promise.all(recipients.map((to, i) => transport.send({ ...message, to, html: `<p>${i}</p>`, tags: { delivery: String(i) } })));
    expect(new Set(answers.map((a) => a.messageId)).size).toBe(40);
    const bodies = captured.map((c) => JSON.parse(c.body) as { Destination: { ToAddresses: string[] }; Content: { Simple: { Body: { Html: { Data: string } } } }; EmailTags: unknown[] });
    expect(bodies.map((b) => b.Destination.ToAddresses[0]).sort()).toEqual([...recipients].sort());
    for (const body of bodies) {
      const i = Number(body.Destination.ToAddresses[0]!.match(/\d+/)![0]);
      expect(body.Content.Simple.Body.Html.Data).toBe(`<p>${i}</p>`);
      expect(body.EmailTags).toEqual([{ Name: 'delivery', Value: String(i) }]);
    }
    expect(new Set(captured.map((c) => c.headers.authorization)).size).toBe(40);
    transport.close?.();
  });

  it('sends every header value as one clean line, whatever the composer built', async () => {
    const transport = makeSesTransport({ region: 'eu-west-1', endpoint });
    await transport.send({
      ...message,
      from: '"Acme\u202Egnp.exe" <reminders@example.com>',
      subject: 'Hello\r\nBcc: eve@evil.test\u2066',
      headers: { 'List-Id': '<renewal.ord-1.tickler.example.com>\r\nX-Evil: 1', 'List-Unsubscribe': '<https://t.example/u/abc>\u0085' },
    });
    const body = JSON.parse(captured[0]!.body) as { FromEmailAddress: string; Content: { Simple: { Subject: { Data: string }; Headers: Array<{ Name: string; Value: string }>; Body: { Text: { Data: string } } } } };
    expect(body.FromEmailAddress).toBe('"Acmegnp.exe" <reminders@example.com>');
    expect(body.Content.Simple.Subject.Data).toBe('Hello Bcc: eve@evil.test');
    expect(body.Content.Simple.Headers).toEqual([
      { Name: 'List-Id', Value: '<renewal.ord-1.tickler.example.com> X-Evil: 1' },
      { Name: 'List-Unsubscribe', Value: '<https://t.example/u/abc>' },
    ]);
    expect(body.Content.Simple.Body.Text.Data).toBe(message.text); // the body keeps its line breaks
    transport.close?.();
  });

  it('classifies SES error answers', async () => {
    const transport = makeSesTransport({ region: 'eu-west-1', endpoint });
    reply = { status: 429, type: 'TooManyRequestsException' };
    await expect(transport.send(message)).rejects.toBeInstanceOf(ThrottledError);
    reply = { status: 400, type: 'MessageRejected' };
    await expect(transport.send(message)).rejects.toBeInstanceOf(PermanentSendError);
    expect(captured).toHaveLength(2); // SDK retries are off: one request per send
    transport.close?.();
  });
});
