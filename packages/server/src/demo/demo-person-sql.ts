// The demo population as SQL: everything known about person number `p` (name, e-mail, home, phone) is a
// function of (seed, p), so the CRM file, the loyalty file and the events agree about the same person.
import { chance, fillTemplate, pick, randomBits, randomIndex, sqlList, weightedIndexList } from './demo-random-sql.js';
import { COUNTRIES, EMAIL_DOMAINS, FIRST_NAMES, LAST_NAMES } from './demo-vocabulary.js';

/** Lower-case ASCII letters only: what a name contributes to an e-mail address (`Siobhán` → `siobhan`, `O'Brien` → `obrien`). */
export function emailNamePart(name: string): string {
  return name.normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase().replace(/[^a-z]/g, '');
}

const CITIES = COUNTRIES.flatMap((country) => country.cities);
const CITY_OFFSETS = COUNTRIES.map((_, index) => COUNTRIES.slice(0, index).reduce((sum, country) => sum + country.cities.length, 0));

/** Per-country lists, indexed with `[1 + country_idx]`. */
export const COUNTRY_SQL = {
  code: sqlList(COUNTRIES.map((country) => country.code)),
  currency: sqlList(COUNTRIES.map((country) => country.currency)),
  /** DOUBLE[] */
  perUsd: `(${sqlList(COUNTRIES.map((country) => country.perUsd))}::DOUBLE[])`,
} as const;

/** A weighted country index (0-based) drawn for `key`. */
export function countryIndex(salt: string, key: string): string {
  return `${weightedIndexList(COUNTRIES.map((country) => country.weight))}[1 + ${randomIndex(100, salt, key)}]`;
}

/**
 * SELECT-list items defining `first_idx`, `last_idx` and `country_idx` of person `p`: the inputs of the
 * expressions below, which read them (and `p`) from the relation they are evaluated over.
 * @example `SELECT i AS p, ${personIndexColumns('i').join(', ')} FROM range(10) r(i), params`
 */
export function personIndexColumns(p: string): string[] {
  return [
    `${randomIndex(FIRST_NAMES.length, 'first-name', p)} AS first_idx`,
    `${randomIndex(LAST_NAMES.length, 'last-name', p)} AS last_idx`,
    `${countryIndex('country', p)} AS country_idx`,
  ];
}

export const FIRST_NAME = `${sqlList(FIRST_NAMES)}[1 + first_idx]`;
export const LAST_NAME = `${sqlList(LAST_NAMES)}[1 + last_idx]`;

/**
 * The person's e-mail address, in one of four styles (`jane.doe12`, `janedoe12`, `jdoe12`, `doe_jane12`). The person
 * number ends every local part, so two people never share an address by accident.
 */
export function emailAddress(): string {
  const first = `${sqlList(FIRST_NAMES.map(emailNamePart))}[1 + first_idx]`;
  const last = `${sqlList(LAST_NAMES.map(emailNamePart))}[1 + last_idx]`;
  const localPart = `CASE ${randomIndex(4, 'email-style', 'p')}
      WHEN 0 THEN concat(${first}, '.', ${last}) WHEN 1 THEN concat(${first}, ${last})
      WHEN 2 THEN concat(${first}[1], ${last}) ELSE concat(${last}, '_', ${first}) END`;
  return `concat(${localPart}, p, '@', ${pick(EMAIL_DOMAINS, 'email-domain', 'p')})`;
}

/** A city of the person's country (0-based index into all cities); needs `country_idx`. */
export function cityIndex(): string {
  const cityCounts = sqlList(COUNTRIES.map((country) => country.cities.length));
  return `${sqlList(CITY_OFFSETS)}[1 + country_idx] + ${randomIndex(`${cityCounts}[1 + country_idx]`, 'city', 'p')}`;
}

/** The city's name; needs `city_idx`. */
export const CITY_NAME = `${sqlList(CITIES.map((city) => city.name))}[1 + city_idx]`;

/** The person's mobile number in E.164 form; needs `city_idx`. */
export function phoneNumber(): string {
  return fillTemplate(CITIES.map((city) => city.phone), 'city_idx', randomBits('phone', 'p'));
}

/** The person's postal code in the city's format; needs `city_idx`. */
export function postalCode(): string {
  return fillTemplate(CITIES.map((city) => city.postalCode), 'city_idx', randomBits('postal-code', 'p'));
}

/** The same e-mail with its first letter capitalised: still the same Email identity (SPEC §4.1 lower-cases them). */
export function capitalisedEmail(email: string, p: string): string {
  return `CASE WHEN ${chance(0.15, 'email-case', p)} THEN upper(${email}[1]) || ${email}[2:] ELSE ${email} END`;
}
