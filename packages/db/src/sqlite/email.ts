/** Address normalisation is store-neutral: see ../email.ts. */
export { emailKey, normalizeEmail } from '../email';
