import { describe, expect, it } from 'vitest';
import { fields } from '../../../test/support/lake-fixtures.js';
import { identityKeyOf, jsonValueOf, nestAttributes } from './profile-values.js';

describe('identityKeyOf', () => {
  it.each([
    [{ namespace: 'email', id: ' Jane@X.com ' }, { nsu: 'EMAIL', id: 'jane@x.com' }],
    [{ namespace: 'Phone', id: ' +1 (555) 010-99 ' }, { nsu: 'PHONE', id: '+155501099' }],
    [{ namespace: 'crmId', id: ' C-1 ' }, { nsu: 'CRMID', id: 'C-1' }],
    [{ namespace: 'ECID', id: 'AbC' }, { nsu: 'ECID', id: 'AbC' }],
  ])('normalises %j to %j', (identity, key) => {
    expect(identityKeyOf(identity)).toEqual(key);
  });
});

describe('jsonValueOf', () => {
  it.each<[unknown, Parameters<typeof jsonValueOf>[1], unknown]>([
    [42n, { type: 'integer' }, 42],
    [9007199254740993n, { type: 'integer' }, '9007199254740993'],
    [new Date(Date.UTC(1990, 4, 6)), { type: 'date' }, '1990-05-06'],
    [new Date(Date.UTC(2025, 0, 6, 10, 0, 12, 5)), { type: 'date-time' }, '2025-01-06T10:00:12.005Z'],
    [[1n, null, 3n], { type: 'array', items: 'integer' }, [1, null, 3]],
    [[], { type: 'array', items: 'string' }, []],
    ['', { type: 'string' }, ''],
    [null, { type: 'boolean' }, null],
  ])('turns %o into %j', (value, field, expected) => {
    expect(jsonValueOf(value, field)).toEqual(expected);
  });
});

describe('nestAttributes', () => {
  it('nests dot paths and leaves out nulls without empty parents', () => {
    const schema = fields(['person.name.firstName', 'string'], ['person.name.lastName', 'string'], ['person.age', 'integer'], ['tags', 'array', 'string'], ['gone.deep', 'string']);
    expect(nestAttributes({ 'person.name.firstName': 'Jane', 'person.name.lastName': '', 'person.age': 41n, tags: [], 'gone.deep': null, extra: 'ignored' }, schema)).toEqual({
      person: { name: { firstName: 'Jane', lastName: '' }, age: 41 },
      tags: [],
    });
  });

  it('takes __proto__, constructor and toString as ordinary path segments, never touching a prototype', () => {
    const schema = fields(['__proto__.tier', 'string'], ['constructor.name', 'string'], ['toString', 'string'], ['_acme.__proto__', 'string']);
    const row = Object.fromEntries([['__proto__.tier', 'gold'], ['constructor.name', 'c'], ['toString', 't'], ['_acme.__proto__', 'p']]);
    const nested = nestAttributes(row, schema);
    expect(({} as Record<string, unknown>)['tier']).toBeUndefined();
    expect(Object.getPrototypeOf(nested)).toBe(Object.prototype);
    expect(JSON.parse(JSON.stringify(nested))).toEqual(JSON.parse('{"__proto__": {"tier": "gold"}, "constructor": {"name": "c"}, "toString": "t", "_acme": {"__proto__": "p"}}'));
    // A column the row does not have is absent, even when Object.prototype has a member of that name.
    expect(nestAttributes({}, fields(['constructor', 'string'], ['hasOwnProperty', 'string']))).toEqual({});
  });
});
