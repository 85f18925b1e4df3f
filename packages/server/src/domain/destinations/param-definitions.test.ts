// Tests of the parameter-table engine: validation semantics, and agreement of the derived JSON Schema with the validator.
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { paramsJsonSchema, secretParamNamesOf, validateParamValues, type ParamDefinition } from './param-definitions.js';

const TABLE: readonly ParamDefinition[] = [
  { kind: 'string', name: 'domain', aliases: ['host'], description: 'Host.', required: true, pattern: '^[a-z.]+$', rule: 'must be a host name' },
  { kind: 'integer', name: 'port', description: 'Port.', minimum: 1, maximum: 65_535, defaultValue: 22 },
  { kind: 'string', name: 'password', description: 'Secret.', required: true, secret: true },
  { kind: 'string', name: 'note', description: 'Optional text.', maxLength: 5 },
  { kind: 'boolean', name: 'verbose', description: 'Flag.', defaultValue: false },
  { kind: 'string', name: 'mode', description: 'Enum.', enumValues: ['a', 'b'], defaultValue: 'a', synonyms: { A: 'a' } },
  { kind: 'ignored', name: 'authorizedDate', description: 'Dropped.' },
  {
    kind: 'object',
    name: 'options',
    description: 'Nested.',
    unknownProperty: (name) => `Unknown option '${name}'`,
    properties: [
      { kind: 'string', name: 'quote', description: 'Quote.', enumValues: ['"', ''], allowEmpty: true, defaultValue: '"' },
      { kind: 'boolean', name: 'header', description: 'Header.', defaultValue: true },
    ],
  },
  {
    kind: 'string',
    name: 'token',
    description: 'Checked against its siblings.',
    check: (value, values) => (values.verbose === true && value.length < 3 ? 'must be 3 characters or more when verbose' : undefined),
    normalize: (value) => value.toUpperCase(),
  },
];

const SCOPE = { path: 'auth.params', unknownParam: (name: string) => `Unknown auth parameter '${name}'` };
const validate = (input: unknown) => validateParamValues(TABLE, input, SCOPE);

describe('validateParamValues', () => {
  it('applies defaults, builds absent nested objects from their defaults and drops ignored parameters', () => {
    expect(validate({ domain: 'example.com', password: 'pw', authorizedDate: '2022-08-03' })).toEqual({
      values: { domain: 'example.com', port: 22, password: 'pw', verbose: false, mode: 'a', options: { quote: '"', header: true } },
      problems: [],
    });
  });

  it('reads an alias when the canonical name is absent, and lets the canonical name win when both are sent', () => {
    expect(validate({ host: 'alias.example', password: 'x' }).values.domain).toBe('alias.example');
    expect(validate({ host: 'NOT VALID', domain: 'canonical.example', password: 'x' })).toMatchObject({ values: { domain: 'canonical.example' }, problems: [] });
  });

  it('collects every problem, naming the key that was sent and the rule broken', () => {
    const { problems } = validate({ host: 'Bad Host', port: 0, note: 'too long', verbose: 'yes', mode: 'c', foo: 1, options: { quote: "'", extra: true } });
    expect(problems).toEqual([
      "Unknown auth parameter 'foo'",
      'auth.params.host must be a host name',
      'auth.params.port must be an integer from 1 to 65535',
      'auth.params.password is required',
      'auth.params.note is not valid',
      'auth.params.verbose must be true or false',
      'auth.params.mode must be one of "a", "b"',
      "Unknown option 'extra'",
      'auth.params.options.quote must be one of "\\"", ""',
    ]);
  });

  it.each([
    ['a fraction', 22.5],
    ['a numeric string', '22'],
    ['a number beyond the safe integers', 2 ** 60],
  ])('refuses %s for an integer', (_name, port) => {
    expect(validate({ domain: 'a.b', password: 'x', port }).problems).toEqual(['auth.params.port must be an integer from 1 to 65535']);
  });

  it('treats null and an empty string on an optional parameter as absent, but refuses an empty required one', () => {
    expect(validate({ domain: 'a.b', password: 'x', port: null, note: '' })).toMatchObject({ values: { port: 22 }, problems: [] });
    expect(validate({ domain: 'a.b', password: 'x', note: '' }).values).not.toHaveProperty('note');
    expect(validate({ domain: 'a.b', password: '' }).problems).toEqual(['auth.params.password must not be empty']);
  });

  it('keeps an empty string where it is a real value, and maps synonyms onto enum values', () => {
    expect(validate({ domain: 'a.b', password: 'x', mode: 'A', options: { quote: '' } }).values).toMatchObject({ mode: 'a', options: { quote: '', header: true } });
  });

  it('runs semantic checks after defaults, with every typed value in view, then normalises the values that pass', () => {
    expect(validate({ domain: 'a.b', password: 'x', token: 'ab' }).values.token).toBe('AB');
    const failing = validate({ domain: 'a.b', password: 'x', token: 'ab', verbose: true });
    expect(failing.problems).toEqual(['auth.params.token must be 3 characters or more when verbose']);
    expect(failing.values).not.toHaveProperty('token');
  });

  it.each([
    ['an array', []],
    ['a string', 'domain=a'],
    ['a number', 3],
  ])('refuses params that are %s', (_name, input) => {
    expect(validate(input)).toEqual({ values: {}, problems: ['auth.params must be an object'] });
  });
});

describe('paramsJsonSchema', () => {
  const schema = paramsJsonSchema(TABLE);

  it('publishes secrets as passwords, aliases as properties, and refuses unknown properties', () => {
    expect(schema).toMatchObject({
      type: 'object',
      required: ['password'],
      additionalProperties: false,
      allOf: [{ anyOf: [{ required: ['domain'] }, { required: ['host'] }] }],
      properties: {
        password: { type: 'string', format: 'password', minLength: 1 },
        host: { type: 'string', pattern: '^[a-z.]+$', description: 'Alias of domain; domain wins when both are sent.' },
        port: { type: 'integer', minimum: 1, maximum: 65_535, default: 22 },
        mode: { enum: ['a', 'b', 'A'], default: 'a' },
        options: { type: 'object', additionalProperties: false, properties: { quote: { enum: ['"', ''] } } },
        authorizedDate: { description: 'Dropped.' },
      },
    });
  });

  // An independent JSON Schema implementation must agree with the validator on what is acceptable.
  const ajv = new Ajv({ strict: true, strictRequired: false, allErrors: true, formats: { password: true } });
  const conformsToSchema = ajv.compile(schema);
  it.each([
    { domain: 'a.b', password: 'x' },
    { host: 'a.b', password: 'x', port: 2222, options: { quote: '' } },
    { domain: 'a.b', password: 'x', mode: 'A', authorizedDate: '2022-08-03' },
    { password: 'x' },
    { domain: 'A.B', password: 'x' },
    { domain: 'a.b', password: 'x', port: 70_000 },
    { domain: 'a.b', password: '' },
    { domain: 'a.b', password: 'x', mode: 'c' },
    { domain: 'a.b', password: 'x', options: { quote: "'" } },
    { domain: 'a.b', password: 'x', extra: 1 },
  ])('agrees with ajv on %j', (input) => {
    expect(validate(input).problems.length === 0).toBe(conformsToSchema(input));
  });
});

describe('secretParamNamesOf', () => {
  it('lists the secret parameters of a table', () => {
    expect(secretParamNamesOf(TABLE)).toEqual(['password']);
  });
});
