import { spawn } from 'node:child_process';

/**
 * A minimal SES v2 endpoint, run in its own Node process (SES is remote; its CPU must not be
 * billed to the mailer): drains each request and answers SendEmail with a MessageId;
 * `GET /count` says how many it answered.
 */
const STUB_SOURCE = `
const http = require('node:http');
let count = 0;
const server = http.createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/count') { res.end(String(count)); return; }
  req.on('data', () => undefined);
  req.on('end', () => {
    count += 1;
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"MessageId":"bench-' + count + '"}');
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => process.stdout.write(server.address().port + '\\n'));
`;

export async function startSesStub(): Promise<{ endpoint: string; requests: () => Promise<number>; close: () => Promise<void> }> {
  const child = spawn(process.execPath, ['-e', STUB_SOURCE], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<number>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`SES stub exited with ${code}`)));
    child.stdout.once('data', (chunk: Buffer) => resolve(Number(chunk.toString().trim())));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  return {
    endpoint,
    requests: async () => Number(await (await fetch(`${endpoint}/count`)).text()),
    close: async () => {
      child.removeAllListeners('exit');
      child.kill();
    },
  };
}
