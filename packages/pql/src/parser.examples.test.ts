// Every expression of SPEC §5.4 parses to the tree written here by hand (or is rejected as the SPEC says).
import { describe, expect, it } from 'vitest';
import { sexpr } from '../test/ast-sexpr.js';
import { parsePql } from './parser.js';

const EXAMPLES: ReadonlyArray<readonly [number, string, string]> = [
  [1, 'homeAddress.countryCode = "US"', '(= homeAddress.countryCode "US")'],
  [2, 'loyalty.points >= 1000', '(>= loyalty.points 1000)'],
  [3, 'loyalty.tier in ["gold", "platinum"]', '(in loyalty.tier ["gold" "platinum"])'],
  [4, 'loyalty.tier notIn ["bronze"]', '(notIn loyalty.tier ["bronze"])'],
  [5, 'homeAddress.countryCode = "US" and loyalty.points < 100', '(and (= homeAddress.countryCode "US") (< loyalty.points 100))'],
  [6, 'not (homeAddress.countryCode = "US")', '(not (= homeAddress.countryCode "US"))'],
  [7, 'homeAddress.countryCode != "US"', '(!= homeAddress.countryCode "US")'],
  [8, 'personalEmail.address.endsWith("@example.com")', '(.endsWith personalEmail.address "@example.com")'],
  [9, 'personalEmail.address.endsWith("@EXAMPLE.COM", false)', '(.endsWith personalEmail.address "@EXAMPLE.COM" false)'],
  [10, 'person.name.lastName like "Mc%"', '(like person.name.lastName "Mc%")'],
  [11, 'person.name.firstName.matches("^Jo(h)?n$")', '(.matches person.name.firstName "^Jo(h)?n$")'],
  [12, 'person.name.lastName.equals("doe", false)', '(.equals person.name.lastName "doe" false)'],
  [13, 'homeAddress.city.doesNotContain("burg")', '(.doesNotContain homeAddress.city "burg")'],
  [14, 'homeAddress.postalCode.isNull()', '(.isNull homeAddress.postalCode)'],
  [15, 'crmId.isNotNull()', '(.isNotNull crmId)'],
  [16, 'preferences.channels.includes("email")', '(.includes preferences.channels "email")'],
  [17, 'preferences.channels.intersects(["sms", "push"])', '(.intersects preferences.channels ["sms" "push"])'],
  [18, 'preferences.channels.supersetOf(["email", "sms"])', '(.supersetOf preferences.channels ["email" "sms"])'],
  [19, 'preferences.channels.subsetOf(["email", "sms", "push"])', '(.subsetOf preferences.channels ["email" "sms" "push"])'],
  [20, 'preferences.channels.distinct().count() >= 2', '(>= (.count (.distinct preferences.channels)) 2)'],
  [21, 'loyalty.points % 2 = 0', '(= (% loyalty.points 2) 0)'],
  [22, '(loyalty.points + 500) * 2 > 3000', '(> (* (+ loyalty.points 500) 2) 3000)'],
  [23, 'loyalty.joinDate occurs between date(2024, 1, 1) and date(2024, 12, 31)', '(occurs loyalty.joinDate (between (date 2024 1 1) (date 2024 12 31)))'],
  [24, 'loyalty.joinDate occurs last month', '(occurs loyalty.joinDate (last month))'],
  [25, 'loyalty.joinDate occurs = 7 days before today', '(occurs loyalty.joinDate (= 7 day before today))'],
  [26, 'lastPurchaseAt occurs <= 30 days before now', '(occurs lastPurchaseAt (<= 30 day before now))'],
  [27, 'lastPurchaseAt occurs after date(2025, 6, 1)', '(occurs lastPurchaseAt (after (date 2025 6 1)))'],
  [28, 'xEvent[eventType = "commerce.purchases"].count() >= 3', '(>= (xcount (= @eventType "commerce.purchases")) 3)'],
  [29, 'exists E from xEvent where (E.eventType = "commerce.purchases" and E.commerce.order.priceTotal > 100)',
    '(exists E (and (= $E.eventType "commerce.purchases") (> $E.commerce.order.priceTotal 100)))'],
  [30, 'select X from xEvent where X.web.pageName = "checkout" and X.timestamp occurs <= 7 days before now',
    '(select X (and (= $X.web.pageName "checkout") (occurs $X.timestamp (<= 7 day before now))))'],
  [31, '(sum X.commerce.order.priceTotal over X from xEvent where X.commerce.order.currencyCode = "USD") > 500',
    '(> (sum X $X.commerce.order.priceTotal (= $X.commerce.order.currencyCode "USD")) 500)'],
  [32, '(average X.commerce.order.priceTotal over X from xEvent where X.eventType = "commerce.purchases") >= 50',
    '(>= (average X $X.commerce.order.priceTotal (= $X.eventType "commerce.purchases")) 50)'],
  [33, '(max X.timestamp over X from xEvent where X.eventType = "commerce.purchases") occurs this month',
    '(occurs (max X $X.timestamp (= $X.eventType "commerce.purchases")) (this month))'],
  [34, 'inSegment("db8961e9-d52f-45bc-b3fb-76d0382a6851") and consent.marketing = true',
    '(and (inSegment "db8961e9-d52f-45bc-b3fb-76d0382a6851") (= consent.marketing true))'],
  [35, 'consent.marketing = true and not inSegment("3a1b2c3d-4e5f-4789-abcd-ef0123456789")',
    '(and (= consent.marketing true) (not (inSegment "3a1b2c3d-4e5f-4789-abcd-ef0123456789")))'],
];

describe('the SPEC §5.4 examples', () => {
  it.each(EXAMPLES)('example %i parses: %s', (_n, text, expected) => {
    const result = parsePql(text);
    expect(result).not.toHaveProperty('diagnostics');
    if ('ast' in result) expect(sexpr(result.ast)).toBe(expected);
  });

  it('example 36 (if) is rejected as an unsupported construct at the word if', () => {
    expect(parsePql('if (homeAddress.countryCode = "CA", 1, 2) = 1')).toMatchObject({
      diagnostics: [{ code: 'PQL-UNSUPPORTED', message: 'unsupported PQL construct: if', line: 1, column: 1, length: 2 }],
    });
  });

  it('example 37 (a second from clause) is rejected as from E.productListItems at that from', () => {
    const text = 'exists E from xEvent where E.a = 1, I from E.productListItems where I.SKU = "PS"';
    expect(parsePql(text)).toMatchObject({
      diagnostics: [{ code: 'PQL-UNSUPPORTED', message: 'unsupported PQL construct: from E.productListItems', column: 39, offset: 38, length: 23 }],
    });
  });
});
