// Table-driven tests of the JSON Patch engine: RFC 6902 semantics, SPEC §7.4 bodies, and every error.
import { describe, expect, it } from 'vitest';
import { AppError } from '../../errors.js';
import { applyJsonPatch, assertPatchPathsAllowed, normalizePatchOps } from './json-patch.js';

/** Calls `action` and returns the AppError it throws (failing the test when it does not throw one). */
function thrownBy(action: () => unknown): AppError {
  try {
    action();
  } catch (error) {
    if (error instanceof AppError) return error;
    throw error;
  }
  throw new Error('expected an AppError');
}

const scheduledAudience = (id: string, startTime: string) => ({
  type: 'PLATFORM_SEGMENT',
  value: {
    id, name: 'Flash sale VIP', filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%',
    exportMode: 'DAILY_FULL_EXPORT',
    schedule: { frequency: 'DAILY', triggerType: 'SCHEDULED', startDate: '2025-01-07', endDate: '2025-03-01', startTime },
  },
});

/** A trimmed copy of the SPEC §7.1 flow. */
const sampleFlow = () => ({
  id: 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb',
  name: 'Acme S3 – CRM exports',
  description: '',
  state: 'enabled',
  sourceConnectionIds: ['aacb95f5-e451-4db6-bd72-de9845f9b1d0'],
  targetConnectionIds: ['e609bd68-ef20-41f8-910d-7a8a4b177954'],
  transformations: [{
    name: 'GeneralTransform',
    params: {
      segmentSelectors: { selectors: [scheduledAudience('db8961e9-d52f-45bc-b3fb-76d0382a6851', '06:00')] },
      profileSelectors: { selectors: [{ type: 'JSON_PATH', value: { path: 'identityMap.Email' } }] },
      mandatoryFields: ['Email'],
      primaryFields: [{ fieldType: 'IDENTITY', identityNamespace: 'Email' }],
    },
  }],
});

const addedAudience = {
  type: 'PLATFORM_SEGMENT',
  value: {
    id: '3a1b2c3d-4e5f-4789-abcd-ef0123456789', filenameTemplate: '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%',
    exportMode: 'FIRST_FULL_THEN_INCREMENTAL',
    schedule: { frequency: 'EVERY_6_HOURS', triggerType: 'SCHEDULED', startDate: '2025-01-08', endDate: '2025-02-08', startTime: '00:00' },
  },
};

describe('applyJsonPatch on the SPEC §7.4 example bodies', () => {
  it('adds an audience and a column, and renames the flow', () => {
    const result = applyJsonPatch(sampleFlow(), [
      { op: 'add', path: '/transformations/0/params/segmentSelectors/selectors/-', value: addedAudience },
      { op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value: { type: 'JSON_PATH', value: { path: 'person.name.lastName' } } },
      { op: 'replace', path: '/name', value: 'Acme S3 – CRM exports (EU)' },
    ]);
    const expected = sampleFlow();
    expected.name = 'Acme S3 – CRM exports (EU)';
    expected.transformations[0]?.params.segmentSelectors.selectors.push(addedAudience as ReturnType<typeof scheduledAudience>);
    expected.transformations[0]?.params.profileSelectors.selectors.push({ type: 'JSON_PATH', value: { path: 'person.name.lastName' } });
    expect(result).toEqual(expected);
  });

  it('removes the first audience', () => {
    const result = applyJsonPatch(sampleFlow(), [{ op: 'remove', path: '/transformations/0/params/segmentSelectors/selectors/0' }]);
    const expected = sampleFlow();
    expected.transformations[0]?.params.segmentSelectors.selectors.splice(0, 1);
    expect(result).toEqual(expected);
  });

  it("replaces the first audience's start time", () => {
    const result = applyJsonPatch(sampleFlow(), [
      { op: 'replace', path: '/transformations/0/params/segmentSelectors/selectors/0/value/schedule/startTime', value: '07:00' },
    ]);
    const expected = sampleFlow();
    const [transformation] = expected.transformations;
    if (transformation !== undefined) transformation.params.segmentSelectors.selectors = [scheduledAudience('db8961e9-d52f-45bc-b3fb-76d0382a6851', '07:00')];
    expect(result).toEqual(expected);
  });

  it('never modifies the input document or the values of the operations', () => {
    const flow = sampleFlow();
    const value = { type: 'JSON_PATH', value: { path: 'person.name.lastName' } };
    const result = applyJsonPatch(flow, [
      { op: 'add', path: '/transformations/0/params/profileSelectors/selectors/-', value },
      { op: 'replace', path: '/transformations/0/params/profileSelectors/selectors/1/value/path', value: 'changed' },
      { op: 'remove', path: '/sourceConnectionIds/0' },
    ]);
    expect(flow).toEqual(sampleFlow());
    expect(value.value.path).toBe('person.name.lastName');
    expect(result).not.toBe(flow);
  });
});

describe('applyJsonPatch operations', () => {
  it.each([
    ['add an object member', { foo: 'bar' }, [{ op: 'add', path: '/baz', value: 'qux' }], { foo: 'bar', baz: 'qux' }],
    ['add replaces an existing member', { foo: 'bar' }, [{ op: 'add', path: '/foo', value: 1 }], { foo: 1 }],
    ['add inserts into an array', { foo: ['bar', 'baz'] }, [{ op: 'add', path: '/foo/1', value: 'qux' }], { foo: ['bar', 'qux', 'baz'] }],
    ['add at index == length appends', { foo: ['a'] }, [{ op: 'add', path: '/foo/1', value: 'b' }], { foo: ['a', 'b'] }],
    ['add with "-" appends', { foo: [] }, [{ op: 'add', path: '/foo/-', value: { x: 1 } }], { foo: [{ x: 1 }] }],
    ['add a nested member', { foo: { bar: {} } }, [{ op: 'add', path: '/foo/bar/baz', value: [1] }], { foo: { bar: { baz: [1] } } }],
    ['add with an empty key', { foo: 1 }, [{ op: 'add', path: '/', value: 2 }], { foo: 1, '': 2 }],
    ['add at the root replaces the document', { foo: 1 }, [{ op: 'add', path: '', value: [1, 2] }], [1, 2]],
    ['add a null value', { foo: 1 }, [{ op: 'add', path: '/bar', value: null }], { foo: 1, bar: null }],
    ['remove an object member', { foo: 'bar', baz: 'qux' }, [{ op: 'remove', path: '/baz' }], { foo: 'bar' }],
    ['remove an array element', { foo: ['bar', 'qux', 'baz'] }, [{ op: 'remove', path: '/foo/1' }], { foo: ['bar', 'baz'] }],
    ['remove ignores a value', { a: 1, b: 2 }, [{ op: 'remove', path: '/a', value: 'ignored' }], { b: 2 }],
    ['replace a member', { foo: 'bar' }, [{ op: 'replace', path: '/foo', value: { deep: true } }], { foo: { deep: true } }],
    ['replace an array element', { foo: [1, 2] }, [{ op: 'replace', path: '/foo/1', value: 3 }], { foo: [1, 3] }],
    ['replace the root', { foo: 1 }, [{ op: 'replace', path: '', value: 'x' }], 'x'],
    ['move a member', { foo: { bar: 'baz', waldo: 'fred' }, qux: { corge: 'grault' } },
      [{ op: 'move', from: '/foo/waldo', path: '/qux/thud' }], { foo: { bar: 'baz' }, qux: { corge: 'grault', thud: 'fred' } }],
    ['move an array element', { foo: ['all', 'grass', 'cows', 'eat'] }, [{ op: 'move', from: '/foo/1', path: '/foo/3' }],
      { foo: ['all', 'cows', 'eat', 'grass'] }],
    ['move to the same place is a no-op', { a: { b: 1 } }, [{ op: 'move', from: '/a', path: '/a' }], { a: { b: 1 } }],
    ['move the last element to the end', { a: [1, 2, 3] }, [{ op: 'move', from: '/a/0', path: '/a/-' }], { a: [2, 3, 1] }],
    ['copy a member', { a: { b: [1] } }, [{ op: 'copy', from: '/a', path: '/c' }], { a: { b: [1] }, c: { b: [1] } }],
    ['copy into an array', { a: [1, 2] }, [{ op: 'copy', from: '/a/1', path: '/a/0' }], { a: [2, 1, 2] }],
    ['test then replace', { a: { x: [1, { y: null }] } }, [{ op: 'test', path: '/a', value: { x: [1, { y: null }] } }, { op: 'replace', path: '/a/x', value: 0 }],
      { a: { x: 0 } }],
    ['test ignores key order', { a: { x: 1, y: 2 } }, [{ op: 'test', path: '/a', value: { y: 2, x: 1 } }], { a: { x: 1, y: 2 } }],
    ['test the root', [1], [{ op: 'test', path: '', value: [1] }], [1]],
    ['"~1" in a pointer means "/"', { 'a/b': 1 }, [{ op: 'replace', path: '/a~1b', value: 2 }], { 'a/b': 2 }],
    ['"~0" in a pointer means "~"', { 'm~n': 1 }, [{ op: 'remove', path: '/m~0n' }], {}],
    ['"~01" means "~1", not "/"', { '~1': 1, '/': 2 }, [{ op: 'remove', path: '/~01' }], { '/': 2 }],
    ['op names match case-insensitively', { a: [] }, [{ op: 'ADD', path: '/a/-', value: 1 }, { op: 'Replace', path: '/a/0', value: 2 }], { a: [2] }],
    ['an empty patch returns an equal copy', { a: 1 }, [], { a: 1 }],
    ['operations apply in order', { a: [] }, [{ op: 'add', path: '/a/-', value: 1 }, { op: 'add', path: '/a/0', value: 0 }, { op: 'test', path: '/a/1', value: 1 }],
      { a: [0, 1] }],
  ])('%s', (_name, document, patch, expected) => {
    expect(applyJsonPatch(document, patch)).toEqual(expected);
  });

  it('stores a "__proto__" key as data, never as a prototype', () => {
    const result = applyJsonPatch({}, [{ op: 'add', path: '/__proto__', value: { polluted: true } }]) as Record<string, unknown>;
    expect(Object.getPrototypeOf(result)).toBe(Object.prototype);
    expect(Object.keys(result)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  it('does not see inherited properties as members', () => {
    const error = thrownBy(() => applyJsonPatch({}, [{ op: 'remove', path: '/toString' }]));
    expect(error.message).toBe('Invalid patch operation: operation 0 (remove /toString): path not found');
  });
});

describe('applyJsonPatch errors', () => {
  it.each([
    ['a body that is not an array', { a: 1 }, { op: 'add' }, 'the request body must be a JSON array of operations'],
    ['an operation that is not an object', {}, ['add'], 'operation 0: must be an object'],
    ['an operation that is null', {}, [{ op: 'test', path: '', value: {} }, null], 'operation 1: must be an object'],
    ['an operation that is an array', {}, [[]], 'operation 0: must be an object'],
    ['a missing op', {}, [{ path: '/a' }], 'operation 0 (? /a): missing "op"'],
    ['an unknown op', {}, [{ op: 'merge', path: '/a', value: 1 }], 'operation 0 (merge /a): unknown op "merge"'],
    ['a missing path', {}, [{ op: 'add', value: 1 }], 'operation 0 (add): missing "path"'],
    ['a path that is not a string', {}, [{ op: 'remove', path: 3 }], 'operation 0 (remove): missing "path"'],
    ['a path that is not a pointer', {}, [{ op: 'add', path: 'name', value: 1 }], 'operation 0 (add name): "path" is not a JSON pointer: name'],
    ['a bad "~" escape', { 'a~2': 1 }, [{ op: 'remove', path: '/a~2' }], 'operation 0 (remove /a~2): "path" is not a JSON pointer: /a~2'],
    ['a missing value on add', {}, [{ op: 'add', path: '/a' }], 'operation 0 (add /a): missing "value"'],
    ['a missing value on replace', { a: 1 }, [{ op: 'REPLACE', path: '/a' }], 'operation 0 (REPLACE /a): missing "value"'],
    ['a missing value on test', { a: 1 }, [{ op: 'test', path: '/a' }], 'operation 0 (test /a): missing "value"'],
    ['a missing from on move', { a: 1 }, [{ op: 'move', path: '/b' }], 'operation 0 (move /b): missing "from"'],
    ['a missing from on copy', { a: 1 }, [{ op: 'copy', path: '/b', from: 7 }], 'operation 0 (copy /b): missing "from"'],
    ['a from that is not a pointer', { a: 1 }, [{ op: 'copy', path: '/b', from: 'a' }], 'operation 0 (copy /b): "from" is not a JSON pointer: a'],
    ['add under a missing parent', { a: {} }, [{ op: 'add', path: '/a/b/c', value: 1 }], 'operation 0 (add /a/b/c): path not found'],
    ['add under a scalar', { a: 1 }, [{ op: 'add', path: '/a/b', value: 1 }], 'operation 0 (add /a/b): path not found'],
    ['add past the end of an array', { a: [1] }, [{ op: 'add', path: '/a/2', value: 1 }], 'operation 0 (add /a/2): index 2 out of range (array length 1)'],
    ['an index with a leading zero', { a: [1, 2] }, [{ op: 'add', path: '/a/01', value: 1 }], 'operation 0 (add /a/01): invalid array index "01"'],
    ['a negative index', { a: [1, 2] }, [{ op: 'remove', path: '/a/-1' }], 'operation 0 (remove /a/-1): invalid array index "-1"'],
    ['a non-numeric index', { a: [1, 2] }, [{ op: 'replace', path: '/a/x', value: 1 }], 'operation 0 (replace /a/x): invalid array index "x"'],
    ['"-" on remove', { a: [1] }, [{ op: 'remove', path: '/a/-' }], 'operation 0 (remove /a/-): invalid array index "-"'],
    ['remove at index == length', { a: [1] }, [{ op: 'remove', path: '/a/1' }], 'operation 0 (remove /a/1): index 1 out of range (array length 1)'],
    ['replace at index == length', { a: [1] }, [{ op: 'replace', path: '/a/1', value: 0 }], 'operation 0 (replace /a/1): index 1 out of range (array length 1)'],
    ['remove a missing member', { a: 1 }, [{ op: 'remove', path: '/b' }], 'operation 0 (remove /b): path not found'],
    ['remove the root', { a: 1 }, [{ op: 'remove', path: '' }], 'operation 0 (remove ""): the document root cannot be removed'],
    ['replace a missing member', { a: 1 }, [{ op: 'replace', path: '/b', value: 1 }], 'operation 0 (replace /b): path not found'],
    ['move from a missing member', { a: 1 }, [{ op: 'move', from: '/x', path: '/b' }], 'operation 0 (move /b): from /x not found'],
    ['move into its own child', { a: { b: {} } }, [{ op: 'move', from: '/a', path: '/a/b/c' }], 'operation 0 (move /a/b/c): cannot move /a into its own child'],
    ['copy from a missing element', { a: [] }, [{ op: 'copy', from: '/a/0', path: '/b' }], 'operation 0 (copy /b): from /a/0 not found'],
    ['a failing test', { a: 1 }, [{ op: 'test', path: '/a', value: '1' }], 'operation 0 (test /a): test failed: the value differs'],
    ['a test of a missing path', { a: 1 }, [{ op: 'test', path: '/b', value: 1 }], 'operation 0 (test /b): path not found'],
    ['a test on arrays of other order', { a: [1, 2] }, [{ op: 'test', path: '/a', value: [2, 1] }], 'operation 0 (test /a): test failed: the value differs'],
    ['a later operation failing', { a: [] }, [{ op: 'add', path: '/a/-', value: 1 }, { op: 'remove', path: '/a/1' }],
      'operation 1 (remove /a/1): index 1 out of range (array length 1)'],
  ])('rejects %s with FLOW-1456-400', (_name, document, patch, detail) => {
    const error = thrownBy(() => applyJsonPatch(document, patch));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.familyCode).toBe('FLOW-1456-400');
    expect(error.message).toBe(`Invalid patch operation: ${detail}`);
  });

  it('leaves the input untouched when a later operation fails', () => {
    const document = { a: [1], b: 'x' };
    expect(() => applyJsonPatch(document, [{ op: 'remove', path: '/a/0' }, { op: 'replace', path: '/c', value: 1 }])).toThrow(AppError);
    expect(document).toEqual({ a: [1], b: 'x' });
  });
});

describe('normalizePatchOps', () => {
  it('lower-cases op names, keeps path/from/value and drops the value of remove', () => {
    expect(normalizePatchOps([
      { op: 'ADD', path: '/a', value: [1] },
      { op: 'Remove', path: '/b', value: 'ignored' },
      { op: 'mOvE', from: '/c', path: '/d' },
      { op: 'COPY', from: '/e', path: '/f', value: 'ignored' },
      { op: 'test', path: '', value: null },
    ])).toEqual([
      { op: 'add', path: '/a', value: [1] },
      { op: 'remove', path: '/b' },
      { op: 'move', from: '/c', path: '/d' },
      { op: 'copy', from: '/e', path: '/f' },
      { op: 'test', path: '', value: null },
    ]);
  });

  it.each([['a string', 'add'], ['null', null], ['an object', { op: 'add', path: '/a', value: 1 }], ['a number', 1]])(
    'rejects a body that is %s',
    (_name, body) => {
      expect(thrownBy(() => normalizePatchOps(body)).familyCode).toBe('FLOW-1456-400');
    },
  );
});

describe('assertPatchPathsAllowed', () => {
  const isFlowPath = (path: string) => ['/name', '/description', '/labels'].includes(path) || path.startsWith('/transformations/0/params/');

  it.each([
    ['only allowed paths', [{ op: 'replace', path: '/name', value: 'x' }, { op: 'add', path: '/transformations/0/params/mandatoryFields/-', value: 'y' }]],
    ['a move between allowed paths', [{ op: 'move', from: '/name', path: '/description' }]],
  ])('accepts %s', (_name, body) => {
    expect(() => assertPatchPathsAllowed(normalizePatchOps(body), isFlowPath)).not.toThrow();
  });

  it.each([
    ['a forbidden path', [{ op: 'replace', path: '/state', value: 'disabled' }], '/state'],
    ['the first forbidden operation', [{ op: 'replace', path: '/name', value: 'x' }, { op: 'remove', path: '/id' }, { op: 'remove', path: '/flowSpec' }], '/id'],
    ['a forbidden from', [{ op: 'copy', from: '/id', path: '/name' }], '/id'],
    ['a forbidden path before its from', [{ op: 'move', from: '/state', path: '/etag' }], '/etag'],
    ['the root pointer', [{ op: 'replace', path: '', value: {} }], ''],
  ])('rejects %s with FLOW-1455-400', (_name, body, path) => {
    const error = thrownBy(() => assertPatchPathsAllowed(normalizePatchOps(body), isFlowPath));
    expect(error.code).toBe('BAD_REQUEST');
    expect(error.familyCode).toBe('FLOW-1455-400');
    expect(error.message).toBe(`Invalid patch path: ${path}`);
  });
});
