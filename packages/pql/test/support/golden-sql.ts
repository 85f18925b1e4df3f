// The expected SQL of every SPEC §5.4 example, per dialect (reviewed by hand): the WHERE predicate of
// `SELECT p."$profile" FROM "$profiles" AS p WHERE …` and its parameters, for GOLDEN_NOW = 2025-06-18T12:00Z.
import type { SqlDialect } from '../../src/index.js';

export interface ExpectedSql { readonly where: string; readonly parameters: readonly (string | number | boolean | bigint)[] }

export const GOLDEN_SQL: Readonly<Record<number, Readonly<Record<SqlDialect, ExpectedSql>>>> = {
  1: { duckdb: { where: String.raw`(p."homeAddress.countryCode" = $1)`, parameters: ['US'] } },
  2: { duckdb: { where: String.raw`(p."loyalty.points" >= 1000)`, parameters: [] } },
  3: { duckdb: { where: String.raw`(p."loyalty.tier" IN ($1, $2))`, parameters: ['gold', 'platinum'] } },
  4: { duckdb: { where: String.raw`(p."loyalty.tier" NOT IN ($1))`, parameters: ['bronze'] } },
  5: { duckdb: { where: String.raw`((p."homeAddress.countryCode" = $1) AND (p."loyalty.points" < 100))`, parameters: ['US'] } },
  6: { duckdb: { where: String.raw`(NOT coalesce((p."homeAddress.countryCode" = $1), false))`, parameters: ['US'] } },
  7: { duckdb: { where: String.raw`(p."homeAddress.countryCode" <> $1)`, parameters: ['US'] } },
  8: { duckdb: { where: String.raw`ends_with(p."personalEmail.address", $1)`, parameters: ['@example.com'] } },
  9: { duckdb: { where: String.raw`ends_with(lower(p."personalEmail.address"), lower($1))`, parameters: ['@EXAMPLE.COM'] } },
  10: { duckdb: { where: String.raw`(p."person.name.lastName" LIKE $1 ESCAPE '\')`, parameters: ['Mc%'] } },
  11: { duckdb: { where: String.raw`regexp_matches(p."person.name.firstName", $1)`, parameters: ['^Jo(h)?n$'] } },
  12: { duckdb: { where: String.raw`(lower(p."person.name.lastName") = lower($1))`, parameters: ['doe'] } },
  13: { duckdb: { where: String.raw`(NOT contains(p."homeAddress.city", $1))`, parameters: ['burg'] } },
  14: { duckdb: { where: String.raw`(p."homeAddress.postalCode" IS NULL)`, parameters: [] } },
  15: { duckdb: { where: String.raw`(p."crmId" IS NOT NULL)`, parameters: [] } },
  16: { duckdb: { where: String.raw`list_contains(p."preferences.channels", $1)`, parameters: ['email'] } },
  17: { duckdb: { where: String.raw`list_has_any(p."preferences.channels", [$1, $2])`, parameters: ['sms', 'push'] } },
  18: { duckdb: { where: String.raw`list_has_all(p."preferences.channels", [$1, $2])`, parameters: ['email', 'sms'] } },
  19: { duckdb: { where: String.raw`list_has_all([$1, $2, $3], p."preferences.channels")`, parameters: ['email', 'sms', 'push'] } },
  20: { duckdb: { where: String.raw`(coalesce(len(list_distinct(p."preferences.channels")), 0) >= 2)`, parameters: [] } },
  21: { duckdb: { where: String.raw`((p."loyalty.points" % 2) = 0)`, parameters: [] } },
  22: { duckdb: { where: String.raw`(((p."loyalty.points" + 500) * 2) > 3000)`, parameters: [] } },
  23: { duckdb: { where: String.raw`(p."loyalty.joinDate" BETWEEN DATE '2024-01-01' AND DATE '2024-12-31')`, parameters: [] } },
  24: { duckdb: { where: String.raw`(p."loyalty.joinDate" BETWEEN DATE '2025-05-01' AND DATE '2025-05-31')`, parameters: [] } },
  25: { duckdb: { where: String.raw`(p."loyalty.joinDate" = DATE '2025-06-11')`, parameters: [] } },
  26: { duckdb: { where: String.raw`(p."lastPurchaseAt" BETWEEN TIMESTAMP '2025-05-19 00:00:00' AND TIMESTAMP '2025-06-18 23:59:59.999999')`, parameters: [] } },
  27: { duckdb: { where: String.raw`(p."lastPurchaseAt" >= TIMESTAMP '2025-06-02 00:00:00')`, parameters: [] } },
  28: { duckdb: { where: String.raw`(p."$profile" IN (SELECT e1."$profile" FROM "$events" AS e1 WHERE (e1."eventType" = $1) GROUP BY e1."$profile" HAVING count(*) >= 3))`, parameters: ['commerce.purchases'] } },
  29: { duckdb: { where: String.raw`(p."$profile" IN (SELECT e1."$profile" FROM "$events" AS e1 WHERE ((e1."eventType" = $1) AND (e1."commerce.order.priceTotal" > 100))))`, parameters: ['commerce.purchases'] } },
  30: { duckdb: { where: String.raw`(p."$profile" IN (SELECT e1."$profile" FROM "$events" AS e1 WHERE ((e1."web.pageName" = $1) AND (e1."timestamp" BETWEEN TIMESTAMP '2025-06-11 00:00:00' AND TIMESTAMP '2025-06-18 23:59:59.999999'))))`, parameters: ['checkout'] } },
  31: { duckdb: { where: String.raw`(p."$profile" IN (SELECT e1."$profile" FROM "$events" AS e1 WHERE (e1."commerce.order.currencyCode" = $1) GROUP BY e1."$profile" HAVING sum(e1."commerce.order.priceTotal") > 500))`, parameters: ['USD'] } },
  32: { duckdb: { where: String.raw`(p."$profile" IN (SELECT e1."$profile" FROM "$events" AS e1 WHERE (e1."eventType" = $1) GROUP BY e1."$profile" HAVING avg(e1."commerce.order.priceTotal") >= 50))`, parameters: ['commerce.purchases'] } },
  33: { duckdb: { where: String.raw`(p."$profile" IN (SELECT e1."$profile" FROM "$events" AS e1 WHERE (e1."eventType" = $1) GROUP BY e1."$profile" HAVING (max(e1."timestamp") BETWEEN TIMESTAMP '2025-06-01 00:00:00' AND TIMESTAMP '2025-06-30 23:59:59.999999')))`, parameters: ['commerce.purchases'] } },
  34: { duckdb: { where: String.raw`((p."$profile" IN (SELECT m1."$profile" FROM "$memberships" AS m1 WHERE m1."$segment" = $1)) AND (p."consent.marketing" = true))`, parameters: ['db8961e9-d52f-45bc-b3fb-76d0382a6851'] } },
  35: { duckdb: { where: String.raw`((p."consent.marketing" = true) AND (NOT (p."$profile" IN (SELECT m1."$profile" FROM "$memberships" AS m1 WHERE m1."$segment" = $1))))`, parameters: ['3a1b2c3d-4e5f-4789-abcd-ef0123456789'] } },
};
