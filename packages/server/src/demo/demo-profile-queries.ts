// The generating queries of the two profile files: CRM customers (profiles) and loyalty members (loyalty).
import { capitalisedEmail, CITY_NAME, cityIndex, COUNTRY_SQL, emailAddress, FIRST_NAME, LAST_NAME, personIndexColumns, phoneNumber, postalCode } from './demo-person-sql.js';
import { instantWithinDaysBefore, ROW_NUMBERS, type DemoQuery } from './demo-query.js';
import { chance, randomIndex, randomUnit, sqlList, unlessMissing } from './demo-random-sql.js';
import { CHANNELS, LOYALTY_TIERS } from './demo-vocabulary.js';

/** Days before `as_of` that `updatedAt` and event timestamps fall into. */
export const HISTORY_DAYS = 400;

/** One loyalty row per this many CRM customers. */
export const CUSTOMERS_PER_LOYALTY_MEMBER = 4;

/** Share of loyalty members who are also CRM customers (the rest are members the CRM does not know). */
export const LOYALTY_CRM_OVERLAP = 0.8;

/** Loyalty points are log-uniform between 1 and this, so the low tiers are crowded and platinum is rare. */
const MAX_POINTS = 50_000;

/** Points of a loyalty member (BIGINT ≥ 1). */
function loyaltyPoints(salt: string, key: string): string {
  return `floor(exp(${randomUnit(salt, key)} * ${Math.log(MAX_POINTS)}))::BIGINT`;
}

/** The tier a number of points earns (NULL for NULL points). */
export function tierOf(points: string): string {
  const byThreshold = [...LOYALTY_TIERS].reverse().map(({ tier, minPoints }) => `WHEN ${points} >= ${minPoints} THEN '${tier}'`);
  return `CASE WHEN ${points} IS NULL THEN NULL ${byThreshold.join(' ')} END`;
}

/** Joined up to eight years before `as_of`; keyed by person, so both profile files agree on it. */
function joinDate(p: string): string {
  return `as_of - 1 - ${randomIndex(8 * 365, 'join-date', p)}::INTEGER`;
}

/** Every subset of the channels (bit b of the index = channel b), the empty one first. */
const CHANNEL_SUBSETS = `([${Array.from({ length: 2 ** CHANNELS.length }, (_, mask) => sqlList(CHANNELS.filter((_, bit) => (mask & (1 << bit)) !== 0))).join(', ')}]::VARCHAR[][])`;

/** Customer `p` of the CRM, for p in [0, profiles). */
export const CRM_PROFILES_QUERY: DemoQuery = {
  relations: [
    `people AS (SELECT i AS p, seed, as_of, as_of_ms, ${personIndexColumns('i').join(', ')} FROM ${ROW_NUMBERS}, params)`,
    `customers AS (SELECT *, ${cityIndex()} AS city_idx,
      ${chance(0.08, 'no-address', 'p')} AS no_address,
      CASE WHEN ${chance(0.35, 'not-a-member', 'p')} THEN NULL ELSE ${loyaltyPoints('crm-points', 'p')} END AS points
      FROM people)`,
  ],
  from: 'customers',
  fields: {
    crmId: `printf('CRM-%08d', p)`,
    'person.name.firstName': unlessMissing(0.02, FIRST_NAME, 'no-first-name', 'p'),
    'person.name.lastName': unlessMissing(0.02, LAST_NAME, 'no-last-name', 'p'),
    // Adults of 18 to 85.
    'person.birthDate': unlessMissing(0.15, `as_of - ${18 * 365} - ${randomIndex(67 * 365, 'birth-date', 'p')}::INTEGER`, 'no-birth-date', 'p'),
    'personalEmail.address': unlessMissing(0.06, emailAddress(), 'no-email', 'p'),
    'mobilePhone.number': unlessMissing(0.25, phoneNumber(), 'no-phone', 'p'),
    'homeAddress.city': `CASE WHEN no_address THEN NULL ELSE ${CITY_NAME} END`,
    'homeAddress.postalCode': `CASE WHEN no_address OR ${chance(0.05, 'no-postal-code', 'p')} THEN NULL ELSE ${postalCode()} END`,
    'homeAddress.countryCode': unlessMissing(0.03, `${COUNTRY_SQL.code}[1 + country_idx]`, 'no-country', 'p'),
    'loyalty.tier': tierOf('points'),
    'loyalty.points': 'points',
    'loyalty.joinDate': `CASE WHEN points IS NULL THEN NULL ELSE ${joinDate('p')} END`,
    'preferences.channels': unlessMissing(0.2, `${CHANNEL_SUBSETS}[1 + ${randomIndex(2 ** CHANNELS.length, 'channels', 'p')}]`, 'no-channels', 'p'),
    'consent.marketing': unlessMissing(0.1, chance(0.55, 'consent-marketing', 'p'), 'no-consent-marketing', 'p'),
    'consent.sms': unlessMissing(0.3, chance(0.3, 'consent-sms', 'p'), 'no-consent-sms', 'p'),
    updatedAt: instantWithinDaysBefore(HISTORY_DAYS, 'crm-updated', 'p'),
  },
};

/**
 * Loyalty member `j`, for j in [0, floor(profiles / 4)). Most are CRM customer `4j + k` (k random in 0…3, so
 * no customer is picked twice); the others are people `profiles + j`, whom the CRM does not know.
 */
export const LOYALTY_MEMBERS_QUERY: DemoQuery = {
  relations: [
    `picked AS (SELECT i AS j, seed, as_of, as_of_ms, ${chance(LOYALTY_CRM_OVERLAP, 'loyalty-overlap', 'i')} AS is_customer,
      CASE WHEN is_customer THEN ${CUSTOMERS_PER_LOYALTY_MEMBER} * i + ${randomIndex(CUSTOMERS_PER_LOYALTY_MEMBER, 'loyalty-customer', 'i')}
           ELSE profile_count + i END AS p
      FROM ${ROW_NUMBERS}, params)`,
    `people AS (SELECT *, ${personIndexColumns('p').join(', ')} FROM picked)`,
    `members AS (SELECT *, ${emailAddress()} AS email, ${loyaltyPoints('loyalty-points', 'p')} AS points FROM people)`,
  ],
  from: 'members',
  fields: {
    loyaltyId: `printf('LOY-%09d', j)`,
    'personalEmail.address': unlessMissing(0.03, capitalisedEmail('email', 'p'), 'loyalty-no-email', 'p'),
    'person.name.firstName': unlessMissing(0.05, FIRST_NAME, 'loyalty-no-first-name', 'p'),
    'person.name.lastName': unlessMissing(0.05, LAST_NAME, 'loyalty-no-last-name', 'p'),
    'loyalty.tier': tierOf('points'),
    'loyalty.points': 'points',
    'loyalty.joinDate': joinDate('p'),
    // The programme's records are fresher than the CRM's: updated within the last 60 days.
    updatedAt: instantWithinDaysBefore(60, 'loyalty-updated', 'p'),
  },
};
