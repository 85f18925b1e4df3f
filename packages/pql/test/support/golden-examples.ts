// The SPEC §5.4 examples with their members in GOLDEN_WORLD, derived by hand from the fixture (see the notes).
import { FLASH_SALE_VIP, LAPSED_BUYERS } from './golden-world.js';

export interface GoldenExample {
  readonly n: number;
  readonly pql: string;
  /** Member profile ids, ascending, worked out by hand from `golden-world.ts` (the note says why). */
  readonly members: readonly number[];
  readonly note: string;
}

export const GOLDEN_EXAMPLES: readonly GoldenExample[] = [
  { n: 1, pql: 'homeAddress.countryCode = "US"', members: [1, 2, 6, 9], note: '8 has "us"' },
  { n: 2, pql: 'loyalty.points >= 1000', members: [1, 3, 7, 9], note: '3 has exactly 1000, 4 has 999, 5/10/12 none' },
  { n: 3, pql: 'loyalty.tier in ["gold", "platinum"]', members: [1, 3, 6, 7, 9], note: '10 has "Gold"' },
  { n: 4, pql: 'loyalty.tier notIn ["bronze"]', members: [1, 2, 3, 6, 7, 8, 9, 10], note: '4/11 bronze, 5/12 no tier' },
  { n: 5, pql: 'homeAddress.countryCode = "US" and loyalty.points < 100', members: [2, 6], note: 'US: 1 (1500), 2 (50), 6 (99), 9 (1001)' },
  { n: 6, pql: 'not (homeAddress.countryCode = "US")', members: [3, 4, 5, 7, 8, 10, 11, 12], note: 'all but the US ones, incl. unknown country' },
  { n: 7, pql: 'homeAddress.countryCode != "US"', members: [3, 5, 7, 8, 10], note: 'known and not US' },
  { n: 8, pql: 'personalEmail.address.endsWith("@example.com")', members: [1, 5, 7, 9], note: '2 EXAMPLE.COM, 3 .com.au, 6 Example.com' },
  { n: 9, pql: 'personalEmail.address.endsWith("@EXAMPLE.COM", false)', members: [1, 2, 5, 6, 7, 9], note: '3 ends with .au' },
  { n: 10, pql: 'person.name.lastName like "Mc%"', members: [1, 5, 7], note: 'McDonald, Mcintosh, Mc; not mcCoy or MacLeod' },
  { n: 11, pql: 'person.name.firstName.matches("^Jo(h)?n$")', members: [1, 2], note: 'not Johnny, Jo, john, JOHN, "Jon "' },
  { n: 12, pql: 'person.name.lastName.equals("doe", false)', members: [2, 3, 4, 9], note: 'Doe, doe, DOE, Doe' },
  { n: 13, pql: 'homeAddress.city.doesNotContain("burg")', members: [1, 3, 4, 6], note: 'Strasbourg has "bourg"; Hamburg/Freiburg/Duisburg out; no city out' },
  { n: 14, pql: 'homeAddress.postalCode.isNull()', members: [2, 4, 8, 9, 10, 11, 12], note: 'postal codes: 1, 3, 5, 6, 7' },
  { n: 15, pql: 'crmId.isNotNull()', members: [1, 2, 3, 5, 6, 7, 8, 9, 10, 11], note: '4 and 12 have none' },
  { n: 16, pql: 'preferences.channels.includes("email")', members: [1, 3, 6, 8], note: '' },
  { n: 17, pql: 'preferences.channels.intersects(["sms", "push"])', members: [1, 2, 3, 6, 7, 10], note: '4 [], 8 [email], 9 [fax]' },
  { n: 18, pql: 'preferences.channels.supersetOf(["email", "sms"])', members: [1, 3, 6], note: '' },
  { n: 19, pql: 'preferences.channels.subsetOf(["email", "sms", "push"])', members: [1, 2, 3, 4, 6, 8, 10], note: '[] is a subset; 7/9 have fax; missing out' },
  { n: 20, pql: 'preferences.channels.distinct().count() >= 2', members: [1, 3, 6, 7], note: '3 is [email, email, sms] = 2 distinct' },
  { n: 21, pql: 'loyalty.points % 2 = 0', members: [1, 2, 3, 7, 8, 11], note: '0 and -4 are even' },
  { n: 22, pql: '(loyalty.points + 500) * 2 > 3000', members: [1, 7, 9], note: 'points > 1000: not 3 (1000)' },
  { n: 23, pql: 'loyalty.joinDate occurs between date(2024, 1, 1) and date(2024, 12, 31)', members: [1, 4, 6], note: 'both ends included; 5 joined 2023-12-31' },
  { n: 24, pql: 'loyalty.joinDate occurs last month', members: [2, 7, 9], note: 'May 2025: 05-20, 05-01, 05-31' },
  { n: 25, pql: 'loyalty.joinDate occurs = 7 days before today', members: [3], note: '2025-06-11' },
  { n: 26, pql: 'lastPurchaseAt occurs <= 30 days before now', members: [1, 3, 4, 6, 7], note: 'days 05-19 … 06-18; 9 is 05-18 23:59, 10 is tomorrow (D = -1)' },
  { n: 27, pql: 'lastPurchaseAt occurs after date(2025, 6, 1)', members: [1, 3, 7, 10], note: 'from 06-02 00:00; 4 is 06-01 23:59:59.999' },
  { n: 28, pql: 'xEvent[eventType = "commerce.purchases"].count() >= 3', members: [1, 3, 8], note: '1: 3, 3: 3, 8: 4 purchases' },
  { n: 29, pql: 'exists E from xEvent where (E.eventType = "commerce.purchases" and E.commerce.order.priceTotal > 100)', members: [1, 2, 6, 10], note: '7 spent exactly 100; 4 has no price' },
  { n: 30, pql: 'select X from xEvent where X.web.pageName = "checkout" and X.timestamp occurs <= 7 days before now', members: [1, 4, 7], note: 'days 06-11 … 06-18; 3 "Checkout", 9 tomorrow, 2/11 06-10' },
  { n: 31, pql: '(sum X.commerce.order.priceTotal over X from xEvent where X.commerce.order.currencyCode = "USD") > 500', members: [1, 6], note: '1: 550, 6: 600 + 10 (a product view in USD); 10 is "usd"' },
  { n: 32, pql: '(average X.commerce.order.priceTotal over X from xEvent where X.eventType = "commerce.purchases") >= 50', members: [1, 2, 6, 7, 9, 10], note: '9 averages exactly 50; 4 has no price (no average)' },
  { n: 33, pql: '(max X.timestamp over X from xEvent where X.eventType = "commerce.purchases") occurs this month', members: [1, 3, 7, 9], note: 'June 2025; 6 is 05-31 23:59:59.999, 10 is 07-01' },
  { n: 34, pql: `inSegment("${FLASH_SALE_VIP}") and consent.marketing = true`, members: [1, 3, 10], note: 'VIP: 1, 2, 3, 10, 12' },
  { n: 35, pql: `consent.marketing = true and not inSegment("${LAPSED_BUYERS}")`, members: [3, 6, 8, 10], note: 'opted in: 1, 3, 5, 6, 8, 10; lapsed: 1, 5, 12' },
];
