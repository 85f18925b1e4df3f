// The 20 audiences of the segmentation benchmark: each as PQL (compiled by packages/pql) and as the SQL a person
// would write by hand over the same relations ("$profiles": one row per profile, a column per attribute path;
// "$events": one row per event with its "$profile"). `now` is the demo data's as-of instant, 2026-11-01T00:00:00Z.
// Both forms must select exactly the same profiles: the benchmark checks it before it times anything.
export const NOW = new Date('2026-11-01T00:00:00Z');

export const AUDIENCES = [
  // attributes
  { name: 'US residents', pql: 'homeAddress.countryCode = "US"',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "homeAddress.countryCode" = 'US'` },
  { name: '1,000 points or more', pql: 'loyalty.points >= 1000',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "loyalty.points" >= 1000` },
  { name: 'gold or platinum', pql: 'loyalty.tier in ["gold", "platinum"]',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "loyalty.tier" IN ('gold', 'platinum')` },
  { name: 'US with few points', pql: 'homeAddress.countryCode = "US" and loyalty.points < 100',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "homeAddress.countryCode" = 'US' AND "loyalty.points" < 100` },
  { name: 'not known to live in the US', pql: 'not (homeAddress.countryCode = "US")',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "homeAddress.countryCode" IS NULL OR "homeAddress.countryCode" <> 'US'` },
  { name: 'points above 1,000 (arithmetic)', pql: '(loyalty.points + 500) * 2 > 3000',
    sql: `SELECT "$profile" FROM "$profiles" WHERE ("loyalty.points" + 500) * 2 > 3000` },
  // strings and arrays
  { name: 'example.com e-mail', pql: 'personalEmail.address.endsWith("@example.com")',
    sql: `SELECT "$profile" FROM "$profiles" WHERE ends_with("personalEmail.address", '@example.com')` },
  { name: 'example.com e-mail, any case', pql: 'personalEmail.address.endsWith("@EXAMPLE.COM", false)',
    sql: `SELECT "$profile" FROM "$profiles" WHERE ends_with(lower("personalEmail.address"), '@example.com')` },
  { name: 'first name Jon or John', pql: 'person.name.firstName.matches("^Jo(h)?n")',
    sql: `SELECT "$profile" FROM "$profiles" WHERE regexp_matches("person.name.firstName", '^Jo(h)?n')` },
  { name: 'e-mail channel', pql: 'preferences.channels.includes("email")',
    sql: `SELECT "$profile" FROM "$profiles" WHERE list_contains("preferences.channels", 'email')` },
  { name: 'SMS or push channel', pql: 'preferences.channels.intersects(["sms", "push"])',
    sql: `SELECT "$profile" FROM "$profiles" WHERE list_has_any("preferences.channels", ['sms', 'push'])` },
  { name: 'two channels or more', pql: 'preferences.channels.distinct().count() >= 2',
    sql: `SELECT "$profile" FROM "$profiles" WHERE len(list_distinct("preferences.channels")) >= 2` },
  // time windows
  { name: 'joined in 2024', pql: 'loyalty.joinDate occurs between date(2024, 1, 1) and date(2024, 12, 31)',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "loyalty.joinDate" BETWEEN DATE '2024-01-01' AND DATE '2024-12-31'` },
  { name: 'joined last month', pql: 'loyalty.joinDate occurs last month',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "loyalty.joinDate" >= DATE '2026-10-01' AND "loyalty.joinDate" < DATE '2026-11-01'` },
  { name: 'updated in the last 30 days', pql: 'updatedAt occurs <= 30 days before now',
    sql: `SELECT "$profile" FROM "$profiles" WHERE "updatedAt" >= TIMESTAMP '2026-10-02' AND "updatedAt" < TIMESTAMP '2026-11-02'` },
  // events: counts, existence, sums, averages
  { name: 'three purchases or more', pql: 'xEvent[eventType = "commerce.purchases"].count() >= 3',
    sql: `SELECT "$profile" FROM "$events" WHERE "eventType" = 'commerce.purchases' GROUP BY "$profile" HAVING count(*) >= 3` },
  { name: 'a purchase over 100', pql: 'exists E from xEvent where (E.eventType = "commerce.purchases" and E.commerce.order.priceTotal > 100)',
    sql: `SELECT DISTINCT "$profile" FROM "$events" WHERE "eventType" = 'commerce.purchases' AND "commerce.order.priceTotal" > 100` },
  { name: 'checkout in the last 7 days', pql: 'select X from xEvent where X.web.pageName = "checkout" and X.timestamp occurs <= 7 days before now',
    sql: `SELECT DISTINCT "$profile" FROM "$events" WHERE "web.pageName" = 'checkout' AND "timestamp" >= TIMESTAMP '2026-10-25' AND "timestamp" < TIMESTAMP '2026-11-02'` },
  { name: 'spent over 500 USD', pql: '(sum X.commerce.order.priceTotal over X from xEvent where X.commerce.order.currencyCode = "USD") > 500',
    sql: `SELECT "$profile" FROM "$events" WHERE "commerce.order.currencyCode" = 'USD' GROUP BY "$profile" HAVING sum("commerce.order.priceTotal") > 500` },
  { name: 'average purchase 50 or more', pql: '(average X.commerce.order.priceTotal over X from xEvent where X.eventType = "commerce.purchases") >= 50',
    sql: `SELECT "$profile" FROM "$events" WHERE "eventType" = 'commerce.purchases' GROUP BY "$profile" HAVING avg("commerce.order.priceTotal") >= 50` },
];
