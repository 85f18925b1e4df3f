// The generating query of the events file: web shop visits by CRM customers (some signed in) and anonymous visitors.
import { DEMO_EVENT_TYPES } from './demo-datasets.js';
import { countryIndex, COUNTRY_SQL, emailAddress, personIndexColumns } from './demo-person-sql.js';
import { HISTORY_DAYS } from './demo-profile-queries.js';
import { instantWithinDaysBefore, ROW_NUMBERS, type DemoQuery } from './demo-query.js';
import { chance, randomBits, randomIndex, randomUnit, sqlList, sqlString, weightedIndexList } from './demo-random-sql.js';
import { COUNTRIES, DEVICE_TYPES, PAGE_VIEW_PAGES, PRODUCTS, SHOP_URL } from './demo-vocabulary.js';

/** Share of events by `eventType`, in percent, in {@link DEMO_EVENT_TYPES} order. */
const EVENT_TYPE_WEIGHTS = [60, 25, 10, 5] as const;
const PAGE_VIEW = 0;
const PRODUCT_VIEW = 1;
const CART_ADD = 2;
const PURCHASE = 3;

/** Share of events by CRM customers; the rest come from anonymous visitors. */
const KNOWN_VISITOR_SHARE = 0.85;
/** Average events per anonymous visitor. */
const EVENTS_PER_ANONYMOUS_VISITOR = 8;
/** Customer activity is skewed: customer `floor(profiles × u^1.5)` for uniform u, so low numbers visit most. */
const ACTIVITY_SKEW = 1.5;
/** Share of non-purchase events of customers made while signed in (purchases always are). */
const SIGNED_IN_SHARE = 0.2;

/** A 38-digit Experience Cloud ID for `keys`: two numbers of exactly 19 digits (no padding needed, so no printf). */
function ecid(salt: string, ...keys: readonly string[]): string {
  const digits = (part: string) => `(1000000000000000000 + ${randomBits(`${salt}-${part}`, ...keys)} % 9000000000000000000::UBIGINT)`;
  return `concat(${digits('high')}, ${digits('low')})`;
}

/** 32 upper-case hex digits (127 random bits: the top bit of each half is set so `to_hex` always gives 16 digits). */
function eventId(key: string): string {
  const half = (part: string) => `to_hex(${randomBits(`event-id-${part}`, key)} | 9223372036854775808::UBIGINT)`;
  return `concat(${half('high')}, ${half('low')})`;
}

const product = (list: readonly (string | number)[]) => `CASE WHEN kind = ${PAGE_VIEW} THEN NULL ELSE ${sqlList(list)}[1 + product_idx] END`;
// Per-row arithmetic on DOUBLEs, rounded to the currency's decimals by scaling (cheaper than round(x, n) with a per-row n).
const currencyScale = `(${sqlList(COUNTRIES.map((country) => (country.currency === 'JPY' ? 1 : 100)))}::DOUBLE[])`;
const roundToCurrency = (amount: string) => `round(${amount} * ${currencyScale}[1 + country_idx]) / ${currencyScale}[1 + country_idx]`;
const localPrice = roundToCurrency(`(${sqlList(PRODUCTS.map((item) => item.priceUsd))}::DOUBLE[])[1 + product_idx] * ${COUNTRY_SQL.perUsd}[1 + country_idx]`);
const pageOfKind = `CASE kind WHEN ${PAGE_VIEW} THEN ${sqlList(PAGE_VIEW_PAGES.map((page) => page.page))}[1 + page_idx]
  WHEN ${PRODUCT_VIEW} THEN 'product' WHEN ${CART_ADD} THEN 'cart' ELSE 'order-confirmation' END`;
// Whole URLs are listed up front, so a row picks one instead of concatenating and lower-casing.
const url = (pathname: string) => sqlString(`${SHOP_URL}${pathname}`);
const urlList = (pathnames: readonly string[]) => sqlList(pathnames.map((pathname) => `${SHOP_URL}${pathname}`));
const urlOfKind = `CASE kind
  WHEN ${PAGE_VIEW} THEN CASE WHEN page_idx = ${PAGE_VIEW_PAGES.findIndex((page) => page.page === 'category')}
    THEN ${urlList(PRODUCTS.map((item) => `/c/${item.category.toLowerCase()}`))}[1 + product_idx]
    ELSE ${urlList(PAGE_VIEW_PAGES.map((page) => page.path))}[1 + page_idx] END
  WHEN ${PRODUCT_VIEW} THEN ${urlList(PRODUCTS.map((item) => `/p/${item.sku.toLowerCase()}`))}[1 + product_idx]
  WHEN ${CART_ADD} THEN ${url('/cart')} ELSE ${url('/checkout/confirmation')} END`;

/**
 * Event `i`, for i in [0, events). A customer's events come from one to three devices (one ECID each);
 * anonymous visitors have one device and never sign in.
 */
export const WEB_EVENTS_QUERY: DemoQuery = {
  relations: [
    `drawn AS (SELECT i, seed, as_of, as_of_ms,
      profile_count > 0 AND ${chance(KNOWN_VISITOR_SHARE, 'known-visitor', 'i')} AS is_known,
      least(profile_count - 1, floor(profile_count * pow(${randomUnit('customer', 'i')}, ${ACTIVITY_SKEW})))::BIGINT AS p,
      ${randomIndex(`greatest(1, row_count // ${EVENTS_PER_ANONYMOUS_VISITOR})`, 'anonymous-visitor', 'i')} AS visitor,
      ${weightedIndexList(EVENT_TYPE_WEIGHTS)}[1 + ${randomIndex(100, 'event-type', 'i')}] AS kind,
      ${randomIndex(`1 + ${randomIndex(3, 'devices', 'p')}`, 'device', 'i')} AS device
      FROM ${ROW_NUMBERS}, params)`,
    `visits AS (SELECT *, ${personIndexColumns('p').join(', ')} FROM drawn)`,
    `events AS (SELECT * REPLACE (CASE WHEN is_known THEN country_idx ELSE ${countryIndex('anonymous-country', 'visitor')} END AS country_idx),
      is_known AND (kind = ${PURCHASE} OR ${chance(SIGNED_IN_SHARE, 'signed-in', 'i')}) AS signed_in,
      ${weightedIndexList(PAGE_VIEW_PAGES.map((page) => page.weight))}[1 + ${randomIndex(100, 'page', 'i')}] AS page_idx,
      floor(${PRODUCTS.length} * pow(${randomUnit('product', 'i')}, 2))::BIGINT AS product_idx,
      1 + floor(3 * pow(${randomUnit('quantity', 'i')}, 3))::BIGINT AS quantity
      FROM visits)`,
  ],
  from: 'events',
  fields: {
    _id: eventId('i'),
    timestamp: instantWithinDaysBefore(HISTORY_DAYS, 'event-time', 'i'),
    ecid: `CASE WHEN is_known THEN ${ecid('ecid', 'p', 'device')} ELSE ${ecid('anonymous-ecid', 'visitor')} END`,
    email: `CASE WHEN signed_in THEN ${emailAddress()} END`,
    eventType: `${sqlList(DEMO_EVENT_TYPES)}[1 + kind]`,
    'web.pageName': pageOfKind,
    'web.pageUrl': urlOfKind,
    'device.type': `CASE WHEN is_known THEN ${pickDeviceType('p', 'device')} ELSE ${pickDeviceType('visitor')} END`,
    'commerce.product.sku': product(PRODUCTS.map((item) => item.sku)),
    'commerce.product.name': product(PRODUCTS.map((item) => item.name)),
    'commerce.product.category': product(PRODUCTS.map((item) => item.category)),
    'commerce.product.price': `CASE WHEN kind = ${PAGE_VIEW} THEN NULL ELSE ${localPrice} END`,
    'commerce.product.quantity': `CASE WHEN kind IN (${CART_ADD}, ${PURCHASE}) THEN quantity END`,
    'commerce.order.orderId': `CASE WHEN kind = ${PURCHASE} THEN printf('ORD-%010d', i) END`,
    'commerce.order.priceTotal': `CASE WHEN kind = ${PURCHASE} THEN ${roundToCurrency(`${localPrice} * quantity`)} END`,
    'commerce.order.currencyCode': `CASE WHEN kind = ${PURCHASE} THEN ${COUNTRY_SQL.currency}[1 + country_idx] END`,
  },
};

function pickDeviceType(...keys: readonly string[]): string {
  return `${sqlList(DEVICE_TYPES)}[1 + ${randomIndex(DEVICE_TYPES.length, 'device-type', ...keys)}]`;
}
