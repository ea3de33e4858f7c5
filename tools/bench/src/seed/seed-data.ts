/**
 * Realistic-looking demo data for `tickler db seed`: company names, people, products and time
 * zones. Word lists avoid real brands; domains are derived from company names.
 */
import type { Random } from './seed-random';

const COMPANY_HEADS = [
  'Northwind', 'Bluepeak', 'Silverline', 'Brightwater', 'Ironbridge', 'Redwood', 'Clearview', 'Summit', 'Harbor', 'Evergreen',
  'Granite', 'Lakeside', 'Pioneer', 'Riverbend', 'Stonegate', 'Westfield', 'Oakridge', 'Crescent', 'Falcon', 'Meridian',
  'Beacon', 'Cobalt', 'Horizon', 'Keystone', 'Lighthouse', 'Maple', 'Orion', 'Polaris', 'Quantum', 'Sterling',
  'Tidewater', 'Vertex', 'Willow', 'Alder', 'Birch', 'Cedar', 'Copper', 'Delta', 'Ember', 'Fjord',
  'Glacier', 'Hawthorne', 'Juniper', 'Kestrel', 'Linden', 'Marlin', 'Nordic', 'Obsidian', 'Pinecrest', 'Sequoia',
] as const;
const COMPANY_TRADES = [
  'Logistics', 'Analytics', 'Health', 'Pharma', 'Retail', 'Freight', 'Insurance', 'Banking', 'Manufacturing', 'Software',
  'Systems', 'Labs', 'Medical', 'Archives', 'Records', 'Library Services', 'Warehousing', 'Automotive', 'Foods', 'Energy',
  'Consulting', 'Imaging', 'Document Solutions', 'Ticketing', 'Post', 'Transit', 'Learning', 'Legal', 'Finance', 'Aerospace',
] as const;
const COMPANY_FORMS = ['Inc.', 'LLC', 'GmbH', 'Ltd', 'AG', 'S.A.', 'B.V.', 'Pty Ltd', 'K.K.', 'Oy', 'AB', 'SAS', 'Corp.'] as const;

const FIRST_NAMES = [
  'Anna', 'Ben', 'Carla', 'David', 'Elena', 'Felix', 'Grace', 'Hiro', 'Ines', 'Jonas', 'Karin', 'Liam', 'Maria', 'Noah',
  'Olivia', 'Pedro', 'Quinn', 'Rosa', 'Sven', 'Tara', 'Umar', 'Vera', 'Wei', 'Ximena', 'Yusuf', 'Zoe', 'Aiko', 'Bruno',
  'Chloe', 'Dmitri', 'Emma', 'Farah', 'Gustav', 'Hannah', 'Ivan', 'Julia', 'Kenji', 'Lena', 'Mateo', 'Nadia', 'Oscar',
  'Priya', 'Rafael', 'Sofia', 'Tomas', 'Uma', 'Viktor', 'Yara', 'Amara', 'Lucas',
] as const;
const LAST_NAMES = [
  'Schmidt', 'Johnson', 'Garcia', 'Nakamura', 'Rossi', 'Dubois', 'Kowalski', 'Andersson', 'Silva', 'Chen', 'Patel', 'Murphy',
  'Novak', 'Jensen', 'Müller', 'Smith', 'Tanaka', 'Lopez', 'Fischer', 'Costa', 'Kim', 'Nguyen', 'Brown', 'Wilson', 'Moreau',
  'Bauer', 'Ivanova', 'Haddad', 'Okafor', 'Larsen', 'Weber', 'Santos', 'Yamamoto', 'Becker', 'Khan', 'Taylor', 'Ricci',
  'Lindqvist', 'Horvat', 'Fernandez',
] as const;

/** Products a customer renews; the first two are the most common. */
export const PRODUCTS = [
  'Barcode Reader SDK', 'Dynamic Web TWAIN', 'Barcode Reader SDK', 'Dynamic Web TWAIN', 'Document Viewer SDK',
  'Label Recognizer', 'Mobile Web Capture', 'MRZ Scanner SDK', 'Document Normalizer', 'Capture Vision Bundle',
] as const;

/** IANA zones weighted towards where customers are (UTC appears twice: it is the default). */
export const TIME_ZONES = [
  'UTC', 'UTC', 'Europe/Berlin', 'Europe/London', 'Europe/Paris', 'Europe/Madrid', 'Europe/Warsaw', 'Europe/Stockholm',
  'Europe/Zurich', 'America/New_York', 'America/Chicago', 'America/Denver', 'America/Los_Angeles', 'America/Toronto',
  'America/Sao_Paulo', 'America/Mexico_City', 'Asia/Tokyo', 'Asia/Shanghai', 'Asia/Singapore', 'Asia/Kolkata', 'Asia/Dubai',
  'Asia/Seoul', 'Australia/Sydney', 'Australia/Perth', 'Pacific/Auckland', 'Africa/Johannesburg', 'Africa/Lagos',
  'Pacific/Honolulu', 'America/Anchorage', 'Asia/Kathmandu',
] as const;

export interface CompanyName { name: string; slug: string }

/** A company name and the slug its email domain is built from. */
export function companyName(random: Random): CompanyName {
  const head = random.pick(COMPANY_HEADS);
  const trade = random.pick(COMPANY_TRADES);
  const name = `${head} ${trade} ${random.pick(COMPANY_FORMS)}`;
  const slug = `${head}-${trade.split(' ')[0]}`.toLowerCase();
  return { name, slug };
}

export interface PersonName { name: string; local: string }

/** A person's display name and the ASCII local part of their work address (`first.last`). */
const ascii = (text: string) => text.normalize('NFD').replace(/[^A-Za-z]/g, '').toLowerCase();
const FIRST_ASCII = FIRST_NAMES.map(ascii);
const LAST_ASCII = LAST_NAMES.map(ascii);

export function personName(random: Random): PersonName {
  const f = random.int(0, FIRST_NAMES.length - 1);
  const l = random.int(0, LAST_NAMES.length - 1);
  return { name: `${FIRST_NAMES[f]} ${LAST_NAMES[l]}`, local: `${FIRST_ASCII[f]}.${LAST_ASCII[l]}` };
}

const DAY_MS = 86_400_000;

/** `now` + `days` as a calendar date (UTC), `YYYY-MM-DD`. */
function isoDateAfter(now: Date, days: number): string {
  return new Date(now.getTime() + days * DAY_MS).toISOString().slice(0, 10);
}

/** Days over which expiry dates spread by default: the coming year. */
export const DEFAULT_SPREAD_DAYS = 365;

/**
 * License and maintenance expiry dates: spread over the coming `spreadDays` (default a year), a few
 * already past, some missing; maintenance usually matches the license. With N orders, about
 * N / spreadDays expire on each day: a tenfold spread keeps the reminders due per day fixed while
 * the orders grow tenfold.
 */
export function expiryDates(random: Random, now: Date, spreadDays = DEFAULT_SPREAD_DAYS): { license: string | null; maintenance: string | null } {
  const license = random.chance(0.05) ? null : isoDateAfter(now, random.int(-45, spreadDays));
  if (random.chance(0.12)) return { license, maintenance: null };
  if (license !== null && random.chance(0.6)) return { license, maintenance: license };
  return { license, maintenance: isoDateAfter(now, random.int(-30, spreadDays)) };
}
