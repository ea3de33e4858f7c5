/** Embedded mode's SES: aws-ses-v2-local in this process; its web inbox is at `/`, every email at `/store`. */
import type { Server } from 'node:http';
import sesServer from 'aws-ses-v2-local';
import { freePort } from './free-port';

export interface LocalSes {
  url: string;
  stop(): Promise<void>;
}

/** Starts the local SES on `preferredPort` (8005 by default) or a free port. */
export async function startLocalSes(preferredPort = 8005): Promise<LocalSes> {
  const port = await freePort(preferredPort);
  const server: Server = await sesServer({ host: '127.0.0.1', port });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    }),
  };
}
