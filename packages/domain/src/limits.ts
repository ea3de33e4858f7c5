/**
 * The longest values the system accepts. Every link carries some of them in a token, so these
 * bound the longest link (see `MAX_TOKEN_LENGTH` in tokens.ts) and are enforced where values enter:
 * addresses in `normalizeEmail`, order and organization ids in the billing webhook schema, topic
 * ids in `NEWSLETTER_TOPICS`.
 */

/** Longest email address, in characters after normalization (RFC 5321 forward-path limit). */
export const MAX_EMAIL_LENGTH = 254;

/** Longest order id and organization id, in characters (letters, digits, `.`, `_`, `-`). */
export const MAX_ID_LENGTH = 100;

/** Longest newsletter topic id, in characters (`a-z`, `0-9`, `-`). */
export const MAX_TOPIC_LENGTH = 64;
