/**
 * Reminder kinds as a table: everything that differs between `license` and `maintenance` reminders
 * lives in one record per kind. Code elsewhere loops over {@link REMINDER_KINDS} or looks a kind up
 * here; it never branches on a kind's name. Adding a kind starts here (see docs/extending.md).
 */

export interface ReminderKindDefinition {
  /** The order's field holding this kind's expiry date (`YYYY-MM-DD` or null). */
  readonly expiryField: string;
  /** The same field as a database column. */
  readonly expiryColumn: string;
  /** Default offsets in whole days before expiry (negative = after), earliest reminder first. */
  readonly defaultOffsets: readonly number[];
  /** The environment variable that overrides the default offsets. */
  readonly offsetsVariable: string;
  /** The email template (file name under templates/, without `.mjml`). */
  readonly template: string;
  /** Human label, capitalised ("License"), used in subjects, pages, forecasts. */
  readonly label: string;
}

export const REMINDER_KIND_TABLE = {
  license: {
    expiryField: 'licenseExpiresOn',
    expiryColumn: 'license_expires_on',
    defaultOffsets: [60, 30, 14, 7, 1, 0, -7],
    offsetsVariable: 'REMINDER_OFFSETS_LICENSE',
    template: 'license-reminder',
    label: 'License',
  },
  maintenance: {
    expiryField: 'maintenanceExpiresOn',
    expiryColumn: 'maintenance_expires_on',
    defaultOffsets: [60, 30, 7, 0, -30],
    offsetsVariable: 'REMINDER_OFFSETS_MAINTENANCE',
    template: 'maintenance-reminder',
    label: 'Maintenance',
  },
} as const satisfies Record<string, ReminderKindDefinition>;

export type ReminderKind = keyof typeof REMINDER_KIND_TABLE;
/** `licenseExpiresOn` | `maintenanceExpiresOn` | … — one per kind. */
export type ExpiryField = (typeof REMINDER_KIND_TABLE)[ReminderKind]['expiryField'];
/** `license_expires_on` | `maintenance_expires_on` | … — one column per kind. */
export type ExpiryColumn = (typeof REMINDER_KIND_TABLE)[ReminderKind]['expiryColumn'];
/** An order's expiry dates, one field per kind. */
export type OrderExpiries = { [F in ExpiryField]: string | null };

/** Every kind, in table order. */
export const REMINDER_KINDS = Object.freeze(Object.keys(REMINDER_KIND_TABLE)) as readonly ReminderKind[];

/** The definition of `kind`. */
export function reminderKind(kind: ReminderKind): ReminderKindDefinition & { readonly expiryField: ExpiryField; readonly expiryColumn: ExpiryColumn } {
  return REMINDER_KIND_TABLE[kind];
}

/** One value per kind, computed from its definition (e.g. zero counts, offsets from env). */
export function perKind<T>(make: (kind: ReminderKind, definition: ReminderKindDefinition) => T): Record<ReminderKind, T> {
  return Object.fromEntries(REMINDER_KINDS.map((kind) => [kind, make(kind, REMINDER_KIND_TABLE[kind])])) as Record<ReminderKind, T>;
}

/** The expiry date of `kind` on an order. */
export function expiryOf(order: OrderExpiries, kind: ReminderKind): string | null {
  return order[REMINDER_KIND_TABLE[kind].expiryField];
}
