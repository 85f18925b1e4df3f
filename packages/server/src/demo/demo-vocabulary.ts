// The fixed word lists the demo data is drawn from: names, places, products, pages. Changing them changes every generated file.

/** Given names; some accented so that files exercise UTF-8 and e-mails exercise accent stripping. */
export const FIRST_NAMES: readonly string[] = [
  'James', 'Mary', 'John', 'Jon', 'Patricia', 'Robert', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth',
  'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen',
  'Emma', 'Olivia', 'Liam', 'Noah', 'Sophia', 'Lucas', 'Mia', 'Hugo', 'Léa', 'Chloé', 'Louis', 'Camille',
  'Jules', 'Zoë', 'Lukas', 'Hannah', 'Felix', 'Lena', 'Jonas', 'Marie', 'Björn', 'José', 'María', 'Lucía',
  'Mateo', 'Sofía', 'Pablo', 'Giulia', 'Marco', 'Francesca', 'Luca', 'Aiko', 'Haruto', 'Yuki', 'Sakura',
  'Oliver', 'Amelia', 'Jack', 'Isla', 'Ethan', 'Ava', 'Wei', 'Priya', 'Arjun', 'Fatima', 'Omar', 'Siobhán',
  'Seán', 'Ingrid', 'Mohammed', 'Aisha', 'Kwame', 'Ana', 'Jane',
];

/** Family names, including `Mc`/`O'` prefixes and multi-word names. */
export const LAST_NAMES: readonly string[] = [
  'Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez',
  'Wilson', 'Anderson', 'Taylor', 'Thomas', 'Moore', 'Martin', 'Jackson', 'Lee', 'Thompson', 'White',
  'McDonald', 'McKenzie', 'MacLeod', "O'Brien", "O'Connor", 'Müller', 'Schmidt', 'Schneider', 'Fischer',
  'Weber', 'Dubois', 'Lefèvre', 'Moreau', 'Laurent', 'Núñez', 'Fernández', 'López', 'González', 'Rossi',
  'Russo', 'Bianchi', 'Tanaka', 'Suzuki', 'Sato', 'Nguyen', 'Kim', 'Patel', 'Singh', 'Cohen', 'van der Berg',
  'Jansen', 'de Vries', 'Kowalski', 'Nowak', 'Andersson', 'Johansson', 'Mensah', 'Okafor', 'Doe',
];

/** Reserved example domains (RFC 2606), so no generated address can reach a real mailbox. */
export const EMAIL_DOMAINS: readonly string[] = ['example.com', 'example.net', 'example.org', 'mail.example.com', 'inbox.example.net'];

/** A city; `#` in the templates is replaced by a pseudo-random digit. */
export interface DemoCity {
  readonly name: string;
  readonly postalCode: string;
  readonly phone: string;
}

/** A country with its share of the population, its cities and the currency its visitors pay in. */
export interface DemoCountry {
  readonly code: string;
  /** Share of people, in percent; the weights add up to 100. */
  readonly weight: number;
  readonly currency: string;
  /** Units of `currency` per US dollar (catalog prices are in US dollars). */
  readonly perUsd: number;
  readonly cities: readonly DemoCity[];
}

export const COUNTRIES: readonly DemoCountry[] = [
  { code: 'US', weight: 30, currency: 'USD', perUsd: 1, cities: [
    { name: 'New York', postalCode: '100##', phone: '+1212#######' },
    { name: 'Los Angeles', postalCode: '900##', phone: '+1213#######' },
    { name: 'Chicago', postalCode: '606##', phone: '+1312#######' },
    { name: 'Houston', postalCode: '770##', phone: '+1713#######' },
    { name: 'Seattle', postalCode: '981##', phone: '+1206#######' },
    { name: 'Boston', postalCode: '021##', phone: '+1617#######' },
    { name: 'Denver', postalCode: '802##', phone: '+1303#######' },
    { name: 'San Francisco', postalCode: '941##', phone: '+1415#######' },
  ] },
  { code: 'GB', weight: 12, currency: 'GBP', perUsd: 0.79, cities: [
    { name: 'London', postalCode: 'SW# #AA', phone: '+447#########' },
    { name: 'Manchester', postalCode: 'M# #BD', phone: '+447#########' },
    { name: 'Edinburgh', postalCode: 'EH# #JY', phone: '+447#########' },
    { name: 'Bristol', postalCode: 'BS# #QT', phone: '+447#########' },
  ] },
  { code: 'DE', weight: 12, currency: 'EUR', perUsd: 0.92, cities: [
    { name: 'Berlin', postalCode: '10###', phone: '+49151########' },
    { name: 'Hamburg', postalCode: '20###', phone: '+49160########' },
    { name: 'München', postalCode: '80###', phone: '+49170########' },
    { name: 'Köln', postalCode: '50###', phone: '+49171########' },
    { name: 'Freiburg', postalCode: '79###', phone: '+49176########' },
  ] },
  { code: 'FR', weight: 10, currency: 'EUR', perUsd: 0.92, cities: [
    { name: 'Paris', postalCode: '750##', phone: '+336########' },
    { name: 'Lyon', postalCode: '690##', phone: '+336########' },
    { name: 'Marseille', postalCode: '130##', phone: '+337########' },
    { name: 'Strasbourg', postalCode: '670##', phone: '+336########' },
  ] },
  { code: 'CA', weight: 8, currency: 'CAD', perUsd: 1.36, cities: [
    { name: 'Toronto', postalCode: 'M#V #T#', phone: '+1416#######' },
    { name: 'Montréal', postalCode: 'H#A #B#', phone: '+1514#######' },
    { name: 'Vancouver', postalCode: 'V#K #A#', phone: '+1604#######' },
  ] },
  { code: 'ES', weight: 7, currency: 'EUR', perUsd: 0.92, cities: [
    { name: 'Madrid', postalCode: '280##', phone: '+346########' },
    { name: 'Barcelona', postalCode: '080##', phone: '+346########' },
    { name: 'Sevilla', postalCode: '410##', phone: '+347########' },
  ] },
  { code: 'IT', weight: 7, currency: 'EUR', perUsd: 0.92, cities: [
    { name: 'Roma', postalCode: '001##', phone: '+393#########' },
    { name: 'Milano', postalCode: '201##', phone: '+393#########' },
    { name: 'Napoli', postalCode: '801##', phone: '+393#########' },
  ] },
  { code: 'NL', weight: 5, currency: 'EUR', perUsd: 0.92, cities: [
    { name: 'Amsterdam', postalCode: '10## AB', phone: '+316########' },
    { name: 'Rotterdam', postalCode: '30## CD', phone: '+316########' },
  ] },
  { code: 'AU', weight: 5, currency: 'AUD', perUsd: 1.52, cities: [
    { name: 'Sydney', postalCode: '2###', phone: '+614########' },
    { name: 'Melbourne', postalCode: '3###', phone: '+614########' },
  ] },
  { code: 'JP', weight: 4, currency: 'JPY', perUsd: 150, cities: [
    { name: 'Tokyo', postalCode: '1##-####', phone: '+8190########' },
    { name: 'Osaka', postalCode: '5##-####', phone: '+8180########' },
  ] },
];

/** Loyalty tiers by the points they start at, lowest first. */
export const LOYALTY_TIERS: readonly { readonly tier: string; readonly minPoints: number }[] = [
  { tier: 'bronze', minPoints: 0 },
  { tier: 'silver', minPoints: 1_000 },
  { tier: 'gold', minPoints: 5_000 },
  { tier: 'platinum', minPoints: 20_000 },
];

/** The channels of `preferences.channels`, in the order they are listed in a preference. */
export const CHANNELS: readonly string[] = ['email', 'sms', 'push', 'mail'];

/** A catalog item; prices in US dollars. */
export interface DemoProduct {
  readonly sku: string;
  readonly name: string;
  readonly category: string;
  readonly priceUsd: number;
}

/** The shop's catalog; the first items are the most viewed and bought. */
export const PRODUCTS: readonly DemoProduct[] = [
  { sku: 'SH-1001', name: 'Trail Running Shoe', category: 'Shoes', priceUsd: 129 },
  { sku: 'AP-2001', name: 'Merino Crew T-Shirt', category: 'Apparel', priceUsd: 45 },
  { sku: 'AC-3001', name: 'Insulated Water Bottle', category: 'Accessories', priceUsd: 29.5 },
  { sku: 'EL-4001', name: 'Wireless Earbuds', category: 'Electronics', priceUsd: 149.99 },
  { sku: 'SH-1002', name: 'Leather Chelsea Boot', category: 'Shoes', priceUsd: 189 },
  { sku: 'AP-2002', name: 'Rain Shell Jacket', category: 'Apparel', priceUsd: 159 },
  { sku: 'HO-5001', name: 'Ceramic Pour-Over Set', category: 'Home', priceUsd: 54 },
  { sku: 'BE-6001', name: 'Daily SPF 50 Sunscreen', category: 'Beauty', priceUsd: 18.75 },
  { sku: 'SP-7001', name: 'Yoga Mat, 6 mm', category: 'Sports', priceUsd: 39.9 },
  { sku: 'EL-4002', name: 'Smart Fitness Watch', category: 'Electronics', priceUsd: 249 },
  { sku: 'AP-2003', name: 'Organic Cotton Hoodie', category: 'Apparel', priceUsd: 69 },
  { sku: 'AC-3002', name: 'Canvas Weekender Bag', category: 'Accessories', priceUsd: 89 },
  { sku: 'HO-5002', name: 'Linen Duvet Cover', category: 'Home', priceUsd: 119 },
  { sku: 'SH-1003', name: 'Everyday Sneaker', category: 'Shoes', priceUsd: 85 },
  { sku: 'TO-8001', name: 'Wooden Building Blocks', category: 'Toys', priceUsd: 34 },
  { sku: 'BE-6002', name: 'Hydrating Face Cream', category: 'Beauty', priceUsd: 32 },
  { sku: 'SP-7002', name: 'Adjustable Dumbbell Pair', category: 'Sports', priceUsd: 299 },
  { sku: 'EL-4003', name: 'Portable Bluetooth Speaker', category: 'Electronics', priceUsd: 79.99 },
  { sku: 'AP-2004', name: 'Slim Fit Chinos', category: 'Apparel', priceUsd: 59.5 },
  { sku: 'AC-3003', name: 'Polarised Sunglasses', category: 'Accessories', priceUsd: 120 },
  { sku: 'HO-5003', name: 'Cast Iron Skillet', category: 'Home', priceUsd: 49 },
  { sku: 'TO-8002', name: 'Remote Control Car', category: 'Toys', priceUsd: 64.99 },
  { sku: 'SP-7003', name: 'Cycling Helmet', category: 'Sports', priceUsd: 95 },
  { sku: 'BE-6003', name: 'Vitamin C Serum', category: 'Beauty', priceUsd: 27.25 },
  { sku: 'EL-4004', name: 'Noise-Cancelling Headphones', category: 'Electronics', priceUsd: 349 },
];

/** Pages of `web.webpagedetails.pageViews` events with their share in percent (they add up to 100). */
export const PAGE_VIEW_PAGES: readonly { readonly page: string; readonly path: string; readonly weight: number }[] = [
  { page: 'home', path: '/', weight: 30 },
  { page: 'category', path: '/c/', weight: 25 },
  { page: 'search', path: '/search', weight: 15 },
  { page: 'checkout', path: '/checkout', weight: 10 },
  { page: 'account', path: '/account', weight: 8 },
  { page: 'help', path: '/help', weight: 5 },
  { page: 'store-locator', path: '/stores', weight: 4 },
  { page: 'blog', path: '/blog', weight: 3 },
];

export const DEVICE_TYPES: readonly string[] = ['desktop', 'mobile', 'mobile', 'tablet'];

/** Base URL of `web.pageUrl`. */
export const SHOP_URL = 'https://shop.example.com';
