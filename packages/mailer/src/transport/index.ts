export type { MailTransport, OutgoingEmail } from './mail-transport';
export { makeSesTransport, toSendEmailInput, type SesTransportOptions } from './ses-transport';
export { makeMemoryTransport, type MemoryTransport } from './memory-transport';
export * from './errors';
