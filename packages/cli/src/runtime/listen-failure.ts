/**
 * A server that cannot listen is the operator's to fix: a port someone else holds (or a privileged
 * one), or an HTTP_HOST that is not an address of this machine. Each is one line naming the setting.
 */
import { CliError } from './errors';

/** Where a server was asked to listen, and which setting named its port. */
export interface ListenTarget {
  port: number;
  host: string;
  /** `HTTP_PORT` for the edge, `METRICS_PORT` for the mailer's /metrics. */
  portSetting: 'HTTP_PORT' | 'METRICS_PORT';
}

/** `error` as a CliError naming the setting to change; any other error as it was. */
export function listenFailure(error: unknown, { port, host, portSetting }: ListenTarget): unknown {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  const where = `${host}:${port}`;
  if (code === 'EADDRINUSE') return new CliError(`${portSetting} ${port} is already in use (${where}): stop the other process or set ${portSetting} to a free port.`);
  if (code === 'EACCES') return new CliError(`${portSetting} ${port} may not be opened by this user (${where}): use a port above 1023.`);
  if (code === 'EADDRNOTAVAIL') return new CliError(`HTTP_HOST ${host} is not an address of this machine (${where}).`);
  // getaddrinfo: no such name (ENOTFOUND), or no answer from the resolver (EAI_AGAIN, EAI_FAIL).
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_FAIL') {
    return new CliError(`HTTP_HOST "${host}" does not resolve to an address to listen on (${code}): set an address of this machine such as 0.0.0.0, 127.0.0.1 or ::.`);
  }
  return error;
}
