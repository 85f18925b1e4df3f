import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DuckDbDatabase } from '../engine/duckdb/duckdb-database.js';
import { DEMO_DATASETS, demoFileFields, generateDemoData } from './demo-data.js';
import { COUNTRIES } from './demo-vocabulary.js';

// The files are read back as text (as an ingester would) and checked against rules restated here: SPEC §3.1
// types, the 400-day window, and the promised content. Nothing below calls the generator's SQL helpers.
const AS_OF = '2025-06-30';
const AS_OF_MS = Date.parse(`${AS_OF}T00:00:00Z`);
const DAY_MS = 86_400_000;
const TYPE_RULES: Record<string, (text: string) => boolean> = {
  string: (text) => text.length > 0,
  integer: (text) => /^-?\d+$/.test(text) && BigInt(text) < 2n ** 63n && BigInt(text) >= -(2n ** 63n),
  number: (text) => /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(text) && Number.isFinite(Number(text)),
  boolean: (text) => /^(true|false)$/i.test(text),
  date: (text) => /^\d{4}-\d{2}-\d{2}$/.test(text) && new Date(`${text}T00:00:00Z`).toISOString().startsWith(text),
  'date-time': (text) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(text) && Number.isFinite(Date.parse(text)),
  array: (text) => { const value: unknown = JSON.parse(text); return Array.isArray(value) && value.every((item) => typeof item === 'string'); },
};
const TIERS = [['platinum', 20_000], ['gold', 5_000], ['silver', 1_000], ['bronze', 1]] as const;

type Row = Record<string, string | null>;
const tmp = mkdtempSync(path.join(os.tmpdir(), 'activator-demo-content-'));
let db: DuckDbDatabase;
const rows: Record<string, Row[]> = {};

beforeAll(async () => {
  db = await DuckDbDatabase.open({ memoryLimitMb: 512, threads: 2, tempDirectory: path.join(tmp, 'spill') });
  await generateDemoData({ profiles: 4_000, events: 40_000, seed: 7, asOf: AS_OF, format: 'csv', outDir: tmp }, { database: db });
  for (const file of ['profiles', 'loyalty', 'events']) {
    rows[file] = (await db.query(`SELECT * FROM read_csv('${path.join(tmp, `${file}.csv`)}', header = true, all_varchar = true)`)) as Row[];
  }
});
afterAll(() => {
  db.close();
  rmSync(tmp, { recursive: true, force: true });
});

const crm = () => rows['profiles'] ?? [];
const loyalty = () => rows['loyalty'] ?? [];
const events = () => rows['events'] ?? [];
const field = (row: Row, name: string) => row[name] ?? null;
const within400Days = (text: string | null) => text !== null && Date.parse(text) >= AS_OF_MS - 400 * DAY_MS && Date.parse(text) < AS_OF_MS;
const templateRegex = (template: string) => new RegExp(`^${template.replace(/[+]/g, '\\+').replaceAll('#', '\\d')}$`);

describe('demo data content', () => {
  it.each(DEMO_DATASETS.map((dataset) => [dataset.name, dataset] as const))('%s: every present value has its declared type, required values are present', (_, dataset) => {
    for (const row of rows[dataset.file] ?? []) {
      for (const { path: name, type, required } of demoFileFields(dataset)) {
        const text = field(row, name);
        if (text === null) expect(required, `${name} missing`).toBe(false);
        else expect(TYPE_RULES[type]?.(text), `${name} = ${text}`).toBe(true);
      }
    }
  });

  it('leaves some optional profile fields empty, but fills most', () => {
    // updatedAt is the timestampField: always set, so timestampOrdered merges order by it.
    const optional = DEMO_DATASETS[0]?.schema.fields.filter((f) => !f.required && f.path !== 'updatedAt') ?? [];
    for (const { path: name } of optional) {
      const missing = crm().filter((row) => field(row, name) === null).length;
      expect(missing, name).toBeGreaterThan(0);
      expect(missing, name).toBeLessThan(crm().length / 2);
    }
  });

  it('dates every event and profile update within the 400 days before as-of', () => {
    expect(events().every((row) => within400Days(field(row, 'timestamp')))).toBe(true);
    expect([...crm(), ...loyalty()].every((row) => within400Days(field(row, 'updatedAt')))).toBe(true);
    const times = events().map((row) => Date.parse(field(row, 'timestamp') ?? ''));
    // Spread over the whole window, not bunched up.
    expect(Math.min(...times)).toBeLessThan(AS_OF_MS - 390 * DAY_MS);
    expect(Math.max(...times)).toBeGreaterThan(AS_OF_MS - 10 * DAY_MS);
  });

  it('gives adults plausible birth dates and members a tier that matches their points', () => {
    for (const row of crm()) {
      const birth = field(row, 'person.birthDate');
      if (birth !== null) expect((AS_OF_MS - Date.parse(birth)) / (365.25 * DAY_MS)).toSatisfy((age: number) => age >= 17.9 && age <= 85.1);
    }
    for (const row of [...crm(), ...loyalty()]) {
      const [tier, points, joined] = [field(row, 'loyalty.tier'), field(row, 'loyalty.points'), field(row, 'loyalty.joinDate')];
      expect([tier, points, joined].filter((value) => value === null).length, 'tier, points and join date come together').toSatisfy((n: number) => n === 0 || n === 3);
      if (tier === null) continue;
      expect(tier).toBe(TIERS.find(([, min]) => Number(points) >= min)?.[0]);
      expect(Date.parse(joined ?? '')).toBeLessThan(AS_OF_MS);
    }
    expect(new Set(crm().map((row) => field(row, 'loyalty.tier')))).toEqual(new Set([null, 'bronze', 'silver', 'gold', 'platinum']));
  });

  it('places people in real cities of their country, with matching postal codes and phone numbers', () => {
    const cities = new Map(COUNTRIES.flatMap((country) => country.cities.map((city) => [city.name, { ...city, country: country.code }] as const)));
    const countryOfPhone = (phone: string) => [...cities.values()].find((city) => templateRegex(city.phone).test(phone));
    for (const row of crm()) {
      const [city, postal, country, phone] = [field(row, 'homeAddress.city'), field(row, 'homeAddress.postalCode'), field(row, 'homeAddress.countryCode'), field(row, 'mobilePhone.number')];
      if (country !== null) expect(COUNTRIES.map((c) => c.code)).toContain(country);
      if (city !== null) {
        expect(cities.has(city), city).toBe(true);
        if (country !== null) expect(cities.get(city)?.country).toBe(country);
        if (postal !== null) expect(postal).toMatch(templateRegex(cities.get(city)?.postalCode ?? ''));
      }
      if (phone !== null) expect(countryOfPhone(phone), phone).toBeDefined();
    }
  });

  it('derives e-mails from names, on reserved example domains, one address per person', () => {
    const emails = crm().map((row) => field(row, 'personalEmail.address')).filter((email) => email !== null);
    expect(new Set(emails).size).toBe(emails.length);
    for (const email of emails) expect(email).toMatch(/^[a-z]+([._]?[a-z]+)?\d+@(mail\.|inbox\.)?example\.(com|net|org)$/);
    const doe = crm().find((row) => field(row, 'person.name.lastName') === "O'Brien" && field(row, 'personalEmail.address') !== null);
    expect(field(doe ?? {}, 'personalEmail.address')).toContain('obrien');
  });

  it('gives every record a unique primary id', () => {
    for (const [file, id] of [['profiles', 'crmId'], ['loyalty', 'loyaltyId'], ['events', '_id']] as const) {
      const ids = (rows[file] ?? []).map((row) => field(row, id));
      expect(new Set(ids).size, id).toBe(ids.length);
    }
    expect(events().every((row) => /^\d{38}$/.test(field(row, 'ecid') ?? ''))).toBe(true);
  });

  it('splits some people across the CRM and loyalty datasets: same e-mail (in any case), different primary ids', () => {
    const crmEmails = new Set(crm().map((row) => field(row, 'personalEmail.address')).filter((email) => email !== null));
    const shared = loyalty().filter((row) => crmEmails.has(field(row, 'personalEmail.address')?.toLowerCase() ?? ''));
    // 80% of members are customers; either side may lack the e-mail.
    expect(shared.length).toBeGreaterThan(loyalty().length * 0.6);
    expect(shared.length).toBeLessThan(loyalty().length * 0.9);
    expect(shared.some((row) => field(row, 'personalEmail.address') !== field(row, 'personalEmail.address')?.toLowerCase())).toBe(true);
    // The two records describe one person: where both name them, the names agree.
    const byEmail = new Map(crm().map((row) => [field(row, 'personalEmail.address'), row]));
    for (const member of shared) {
      const customer = byEmail.get(field(member, 'personalEmail.address')?.toLowerCase() ?? null) ?? {};
      for (const name of ['person.name.firstName', 'person.name.lastName']) {
        if (field(member, name) !== null && field(customer, name) !== null) expect(field(member, name)).toBe(field(customer, name));
      }
      expect(field(member, 'loyaltyId')).not.toBe(field(customer, 'crmId'));
    }
  });

  it('links devices to customers: a signed-in ECID always carries one e-mail, mostly one the CRM knows', () => {
    const emailsOfEcid = new Map<string, Set<string>>();
    for (const row of events()) {
      const email = field(row, 'email');
      if (email !== null) emailsOfEcid.set(field(row, 'ecid') ?? '', (emailsOfEcid.get(field(row, 'ecid') ?? '') ?? new Set()).add(email));
    }
    expect([...emailsOfEcid.values()].every((emails) => emails.size === 1)).toBe(true);
    const crmEmails = new Set(crm().map((row) => field(row, 'personalEmail.address')));
    const eventEmails = [...emailsOfEcid.values()].flatMap((emails) => [...emails]);
    expect(eventEmails.filter((email) => crmEmails.has(email)).length).toBeGreaterThan(eventEmails.length * 0.9);
    // Devices also browse signed out, so only the graph ties those events to the customer.
    expect(events().some((row) => field(row, 'email') === null && emailsOfEcid.has(field(row, 'ecid') ?? ''))).toBe(true);
    // Anonymous visitors too.
    expect(events().filter((row) => !emailsOfEcid.has(field(row, 'ecid') ?? '')).length).toBeGreaterThan(events().length * 0.1);
  });

  it('fills the commerce fields the way each event type needs them; customers buy signed in, visitors as guests', () => {
    const signedInDevices = new Set(events().filter((row) => field(row, 'email') !== null).map((row) => field(row, 'ecid')));
    const counts = new Map<string, number>();
    for (const row of events()) {
      const type = field(row, 'eventType') ?? '';
      counts.set(type, (counts.get(type) ?? 0) + 1);
      const has = (name: string) => field(row, name) !== null;
      expect(field(row, 'web.pageUrl')).toMatch(/^https:\/\/shop\.example\.com\//);
      expect(has('commerce.product.sku'), type).toBe(type !== 'web.webpagedetails.pageViews');
      expect(has('commerce.product.quantity'), type).toBe(type === 'commerce.productListAdds' || type === 'commerce.purchases');
      expect(has('commerce.order.orderId'), type).toBe(type === 'commerce.purchases');
      if (type !== 'commerce.purchases') continue;
      expect(has('email')).toBe(signedInDevices.has(field(row, 'ecid')));
      expect(['USD', 'EUR', 'GBP', 'CAD', 'AUD', 'JPY']).toContain(field(row, 'commerce.order.currencyCode'));
      const total = Number(field(row, 'commerce.product.price')) * Number(field(row, 'commerce.product.quantity'));
      expect(Number(field(row, 'commerce.order.priceTotal'))).toBeCloseTo(total, 1);
    }
    expect([...counts.keys()].sort()).toEqual(['commerce.productListAdds', 'commerce.productViews', 'commerce.purchases', 'web.webpagedetails.pageViews']);
    expect(counts.get('web.webpagedetails.pageViews')).toBeGreaterThan(counts.get('commerce.purchases') ?? Infinity);
  });
});
