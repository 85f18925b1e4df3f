// The hand-written world of the golden tests: 12 profiles shaped so that every SPEC §5.4 example selects a
// non-trivial subset, with values on the edges of each rule (missing values, case, calendar boundaries).
import type { TestEvent, TestWorld } from './fixture.js';

/** The job start of the golden tests: Wednesday 18 June 2025, 12:00 UTC (today = 2025-06-18). */
export const GOLDEN_NOW = new Date('2025-06-18T12:00:00.000Z');

export const FLASH_SALE_VIP = 'db8961e9-d52f-45bc-b3fb-76d0382a6851';
export const LAPSED_BUYERS = '3a1b2c3d-4e5f-4789-abcd-ef0123456789';

const purchase = (timestamp: string, price?: number, currency?: string): TestEvent => ({
  timestamp, eventType: 'commerce.purchases',
  ...(price === undefined ? {} : { 'commerce.order.priceTotal': price }),
  ...(currency === undefined ? {} : { 'commerce.order.currencyCode': currency }),
});
const pageView = (timestamp: string, pageName: string): TestEvent => ({ timestamp, eventType: 'web.webpagedetails.pageViews', 'web.pageName': pageName });

export const GOLDEN_WORLD: TestWorld = {
  catalogue: {
    profile: [
      { path: 'crmId', type: 'string' },
      { path: 'person.name.firstName', type: 'string' },
      { path: 'person.name.lastName', type: 'string' },
      { path: 'personalEmail.address', type: 'string' },
      { path: 'homeAddress.countryCode', type: 'string' },
      { path: 'homeAddress.city', type: 'string' },
      { path: 'homeAddress.postalCode', type: 'string' },
      { path: 'loyalty.points', type: 'integer' },
      { path: 'loyalty.tier', type: 'string' },
      { path: 'loyalty.joinDate', type: 'date' },
      { path: 'preferences.channels', type: 'array', items: 'string' },
      { path: 'updatedAt', type: 'date-time' },
      { path: 'lastPurchaseAt', type: 'date-time' },
      { path: 'consent.marketing', type: 'boolean' },
    ],
    event: [
      { path: 'timestamp', type: 'date-time' },
      { path: '_id', type: 'string' },
      { path: 'eventType', type: 'string' },
      { path: 'web.pageName', type: 'string' },
      { path: 'commerce.order.priceTotal', type: 'number' },
      { path: 'commerce.order.currencyCode', type: 'string' },
    ],
  },
  profiles: [
    {
      id: 1,
      attributes: {
        crmId: 'C-1', 'person.name.firstName': 'John', 'person.name.lastName': 'McDonald', 'personalEmail.address': 'john@example.com',
        'homeAddress.countryCode': 'US', 'homeAddress.city': 'Boston', 'homeAddress.postalCode': '02108', 'loyalty.points': 1500,
        'loyalty.tier': 'gold', 'preferences.channels': ['email', 'sms'], 'loyalty.joinDate': '2024-03-15',
        lastPurchaseAt: '2025-06-10T09:00:00.000Z', 'consent.marketing': true,
      },
      events: [
        purchase('2025-06-01T10:00:00.000Z', 120, 'USD'),
        purchase('2025-06-05T10:00:00.000Z', 30, 'USD'),
        purchase('2025-06-10T09:00:00.000Z', 400, 'USD'),
        pageView('2025-06-12T08:00:00.000Z', 'checkout'),
      ],
    },
    {
      id: 2,
      attributes: {
        crmId: 'C-2', 'person.name.firstName': 'Jon', 'person.name.lastName': 'Doe', 'personalEmail.address': 'jon@EXAMPLE.COM',
        'homeAddress.countryCode': 'US', 'homeAddress.city': 'Hamburg', 'loyalty.points': 50, 'loyalty.tier': 'silver',
        'preferences.channels': ['push'], 'loyalty.joinDate': '2025-05-20', lastPurchaseAt: '2025-05-01T00:00:00.000Z',
        'consent.marketing': false,
      },
      events: [
        purchase('2025-05-10T10:00:00.000Z', 200, 'EUR'),
        purchase('2025-05-11T10:00:00.000Z', 10, 'USD'),
        pageView('2025-06-10T00:00:00.000Z', 'checkout'),
      ],
    },
    {
      id: 3,
      attributes: {
        crmId: 'C-3', 'person.name.firstName': 'Johnny', 'person.name.lastName': 'doe', 'personalEmail.address': 'j@example.com.au',
        'homeAddress.countryCode': 'CA', 'homeAddress.city': 'Toronto', 'homeAddress.postalCode': 'M5V', 'loyalty.points': 1000,
        'loyalty.tier': 'platinum', 'preferences.channels': ['email', 'email', 'sms'], 'loyalty.joinDate': '2025-06-11',
        lastPurchaseAt: '2025-06-02T00:00:00.000Z', 'consent.marketing': true,
      },
      events: [
        purchase('2025-06-02T08:00:00.000Z', 20, 'USD'),
        purchase('2025-06-03T08:00:00.000Z', 20, 'USD'),
        purchase('2025-06-04T08:00:00.000Z', 20),
        pageView('2025-06-17T08:00:00.000Z', 'Checkout'),
      ],
    },
    {
      id: 4,
      attributes: {
        'person.name.firstName': 'Jo', 'person.name.lastName': 'DOE', 'homeAddress.city': 'Strasbourg', 'loyalty.points': 999,
        'loyalty.tier': 'bronze', 'preferences.channels': [], 'loyalty.joinDate': '2024-12-31', lastPurchaseAt: '2025-06-01T23:59:59.999Z',
      },
      events: [pageView('2025-06-11T00:00:00.000Z', 'checkout'), purchase('2025-04-01T00:00:00.000Z')],
    },
    {
      id: 5,
      attributes: {
        crmId: 'C-5', 'person.name.firstName': 'Ann', 'person.name.lastName': 'Mcintosh', 'personalEmail.address': 'ann@example.com',
        'homeAddress.countryCode': 'DE', 'homeAddress.postalCode': '10115', 'loyalty.joinDate': '2023-12-31', 'consent.marketing': true,
      },
      events: [],
    },
    {
      id: 6,
      attributes: {
        crmId: 'C-6', 'person.name.firstName': 'john', 'person.name.lastName': 'MacLeod', 'personalEmail.address': 'x@Example.com',
        'homeAddress.countryCode': 'US', 'homeAddress.city': 'Boston', 'homeAddress.postalCode': '02110', 'loyalty.points': 99,
        'loyalty.tier': 'gold', 'preferences.channels': ['email', 'sms', 'push'], 'loyalty.joinDate': '2024-01-01',
        lastPurchaseAt: '2025-05-19T12:00:00.000Z', 'consent.marketing': true,
      },
      events: [
        purchase('2025-05-31T23:59:59.999Z', 600, 'USD'),
        { timestamp: '2025-06-15T10:00:00.000Z', eventType: 'commerce.productViews', 'commerce.order.priceTotal': 10, 'commerce.order.currencyCode': 'USD' },
      ],
    },
    {
      id: 7,
      attributes: {
        crmId: 'C-7', 'person.name.firstName': 'Jean', 'person.name.lastName': 'Mc', 'personalEmail.address': 'jean@example.com',
        'homeAddress.countryCode': 'FR', 'homeAddress.city': 'Freiburg', 'homeAddress.postalCode': '79098', 'loyalty.points': 3000,
        'loyalty.tier': 'platinum', 'preferences.channels': ['sms', 'fax'], 'loyalty.joinDate': '2025-05-01',
        lastPurchaseAt: '2025-06-18T11:59:59.000Z', 'consent.marketing': false,
      },
      events: [purchase('2025-06-18T11:00:00.000Z', 100, 'USD'), pageView('2025-06-18T11:30:00.000Z', 'checkout')],
    },
    {
      id: 8,
      attributes: {
        crmId: 'C-8', 'person.name.lastName': 'mcCoy', 'homeAddress.countryCode': 'us', 'homeAddress.city': 'Duisburg',
        'loyalty.points': 0, 'loyalty.tier': 'silver', 'preferences.channels': ['email'], 'loyalty.joinDate': '2025-06-18',
        'consent.marketing': true,
      },
      events: [
        purchase('2025-01-01T00:00:00.000Z', 1, 'USD'),
        purchase('2025-01-02T00:00:00.000Z', 1, 'USD'),
        purchase('2025-01-03T00:00:00.000Z', 1, 'USD'),
        purchase('2025-01-04T00:00:00.000Z', 1, 'USD'),
      ],
    },
    {
      id: 9,
      attributes: {
        crmId: 'C-9', 'person.name.firstName': 'JOHN', 'person.name.lastName': 'Doe', 'personalEmail.address': 'nine@example.com',
        'homeAddress.countryCode': 'US', 'loyalty.points': 1001, 'loyalty.tier': 'gold', 'preferences.channels': ['fax'],
        'loyalty.joinDate': '2025-05-31', lastPurchaseAt: '2025-05-18T23:59:59.999Z', 'consent.marketing': false,
      },
      events: [
        purchase('2025-06-30T23:00:00.000Z', 49.5, 'USD'),
        purchase('2025-05-02T00:00:00.000Z', 50.5, 'USD'),
        pageView('2025-06-19T00:00:00.000Z', 'checkout'),
      ],
    },
    {
      id: 10,
      attributes: {
        crmId: 'C-10', 'person.name.firstName': 'Jon ', 'homeAddress.countryCode': 'CA', 'loyalty.tier': 'Gold',
        'preferences.channels': ['sms'], lastPurchaseAt: '2025-06-19T00:00:00.000Z', 'consent.marketing': true,
      },
      events: [purchase('2025-07-01T00:00:00.000Z', 150, 'usd')],
    },
    {
      id: 11,
      attributes: { crmId: 'C-11', 'loyalty.points': -4, 'loyalty.tier': 'bronze', 'consent.marketing': false },
      events: [pageView('2025-06-10T23:59:59.999Z', 'checkout')],
    },
    { id: 12, attributes: {}, events: [] },
  ],
  memberships: { [FLASH_SALE_VIP]: [1, 2, 3, 10, 12], [LAPSED_BUYERS]: [1, 5, 12] },
};
