/**
 * Demo data for `pnpm start` on a fresh database: three organizations in different time zones and
 * languages (Acme writes German, Initech Japanese, Globex the default),
 * contacts (one invited who has not accepted yet), and orders whose expiry dates make reminders
 * due right now (offsets 0, 1, 7, 14, 30 and -7 days) and over the coming weeks. Everything goes
 * through the repositories, exactly as billing events and the portal would write it.
 */
import {
  addDays, createInvitationToken, sendAtFor, sha256Hex, utcMsToIsoDate, type IsoDate,
} from '@tickler/domain';
import { type Store } from '@tickler/db';
import { enqueue, type Queues } from '@tickler/queues';

const DEMO_STATE_KEY = 'demo-data-loaded';

interface DemoOrg { id: string; name: string; timeZone: string; locale?: string; purchaser: string; purchaserName: string; member: string; invitee: string }

const ORGS: DemoOrg[] = [
  { id: 'org-acme', name: 'Acme GmbH', timeZone: 'Europe/Berlin', locale: 'de', purchaser: 'ann@acme.example', purchaserName: 'Ann Acme', member: 'carl@acme.example', invitee: 'dora@acme.example' },
  { id: 'org-globex', name: 'Globex Corporation', timeZone: 'America/New_York', purchaser: 'bob@globex.example', purchaserName: 'Bob Globex', member: 'gail@globex.example', invitee: 'hank@globex.example' },
  { id: 'org-initech', name: 'Initech KK', timeZone: 'Asia/Tokyo', locale: 'ja', purchaser: 'chie@initech.example', purchaserName: 'Chie Initech', member: 'ken@initech.example', invitee: 'mio@initech.example' },
];

/** Days from the base date: reminders at these offsets are due now; the rest fall in the coming weeks. */
const DUE_NOW = [0, 1, 7, 14, 30, -7];
const LATER = [3, 10, 21, 45, 75];
const PRODUCTS = ['Barcode Reader SDK', 'Document Scanner SDK', 'Label Recognizer'];

/** The latest local calendar day whose 09:00 in `timeZone` is not after `now`. */
export function latestDueDay(timeZone: string, now: Date): IsoDate {
  const today = utcMsToIsoDate(now);
  for (const d of [1, 0, -1, -2]) {
    const day = addDays(today, d);
    if (sendAtFor(day, 0, timeZone).getTime() <= now.getTime()) return day;
  }
  return addDays(today, -2);
}

export interface DemoSummary { organizations: number; orders: number; invitations: number }

async function addMemberAndInvitee(store: Store, queues: Queues, org: DemoOrg, secrets: string[], now: Date): Promise<number> {
  const expiresAt = new Date(now.getTime() + 14 * 86_400_000);
  for (const email of [org.member, org.invitee]) {
    const token = createInvitationToken(secrets, { organizationId: org.id, email, expiresAt });
    const invitation = await store.invitations.createOrRenew({ organizationId: org.id, email, invitedByEmail: org.purchaser, tokenHash: sha256Hex(token), expiresAt });
    if (email === org.member) {
      await store.invitations.accept(invitation.id, now);
      continue;
    }
    // The invitee gets the invitation email and has not accepted: they are not a contact yet.
    const [delivery] = await store.deliveries.upsertMany([{ sourceType: 'invitation', sourceId: invitation.id, email, listId: null, orderId: null, status: 'queued', reason: null }]);
    if (delivery) await enqueue(queues, 'send', { deliveryId: delivery.id });
  }
  return 1;
}

async function addOrders(store: Store, org: DemoOrg, orgIndex: number, now: Date): Promise<string[]> {
  const base = latestDueDay(org.timeZone, now);
  const offsets = [...DUE_NOW, ...LATER];
  const ids: string[] = [];
  for (const [i, days] of offsets.entries()) {
    const orderId = `ORD-${1001 + orgIndex * 100 + i}`;
    const licenseExpiresOn = addDays(base, days);
    await store.directory.applyOrderUpsert({
      orderId,
      organization: { id: org.id, name: org.name, timeZone: org.timeZone, locale: org.locale ?? null },
      product: PRODUCTS[(orgIndex + i) % PRODUCTS.length]!,
      licenseExpiresOn,
      maintenanceExpiresOn: i % 2 === 0 ? licenseExpiresOn : addDays(licenseExpiresOn, 30),
      purchaserEmail: org.purchaser,
      purchaserName: org.purchaserName,
      occurredAt: now,
    });
    ids.push(orderId);
  }
  return ids;
}

/** Loads the demo once per database (remembered in scheduler state); returns null when already there. */
export async function loadDemoData(store: Store, queues: Queues, secrets: string[], now: Date): Promise<DemoSummary | null> {
  if (await store.state.get(DEMO_STATE_KEY)) return null;
  const summary: DemoSummary = { organizations: 0, orders: 0, invitations: 0 };
  for (const [i, org] of ORGS.entries()) {
    const orderIds = await addOrders(store, org, i, now);
    summary.invitations += await addMemberAndInvitee(store, queues, org, secrets, now);
    // The accepted member becomes a second contact of the first orders (only active members can be).
    for (const orderId of orderIds.slice(0, 3)) await store.directory.addContact(orderId, org.member, org.purchaser);
    summary.orders += orderIds.length;
    summary.organizations += 1;
  }
  const { subscription: subscriber } = await store.newsletter.subscribe('erin@initech.example', ['product-news', 'security']);
  await store.newsletter.confirm(subscriber.email, now);
  await store.state.set(DEMO_STATE_KEY, now.toISOString());
  return summary;
}
