// Tests of file name template checking and rendering (SPEC §8.3).

import { describe, expect, it } from 'vitest';
import { checkFilenameTemplate, renderFileName, sanitiseMacroValue, type FileNameValues } from './filename-template.js';

const WHERE = 'filenameTemplate';
const KNOWN = '%DESTINATION_NAME%, %DESTINATION%, %DESTINATION_INSTANCE_NAME%, %DESTINATION_INSTANCE_ID%, %SEGMENT_ID%, '
  + '%SEGMENT_NAME%, %ORGANIZATION_NAME%, %SANDBOX_NAME%, %TIMESTAMP%, %DATETIME(pattern)%';

describe('checkFilenameTemplate', () => {
  it.each([
    '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%',
    '%DESTINATION%_%SEGMENT_ID%_%SEGMENT_NAME%_%DESTINATION_INSTANCE_ID%_%DESTINATION_INSTANCE_NAME%_%DATETIME(YYYYMMdd_HHmmss)%',
    'crm-%SEGMENT_ID%-%DESTINATION%',
    '%SEGMENT_ID%%DESTINATION_NAME%%TIMESTAMP%%ORGANIZATION_NAME%%SANDBOX_NAME%',
    '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(yyyy-MM-dd HH.mm.ss)%',
    '%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME()%',
  ])('accepts %s', (template) => {
    expect(checkFilenameTemplate(template, WHERE)).toEqual([]);
  });

  it.each<[string, string, string[]]>([
    ['no segment id', '%DESTINATION_NAME%_export', ['filenameTemplate must contain %SEGMENT_ID%']],
    ['no destination name', '%SEGMENT_ID%_export', ['filenameTemplate must contain %DESTINATION_NAME% (or %DESTINATION%)']],
    ['an empty template', '', ['filenameTemplate must contain %SEGMENT_ID%', 'filenameTemplate must contain %DESTINATION_NAME% (or %DESTINATION%)']],
    ['an unknown macro', '%DESTINATION_NAME%_%SEGMENT_ID%_%FLOW_ID%', [`filenameTemplate contains the unknown macro %FLOW_ID% (known: ${KNOWN})`]],
    ['a lower-case macro', '%destination_name%_%SEGMENT_ID%', [
      `filenameTemplate contains the unknown macro %destination_name% (known: ${KNOWN})`,
      'filenameTemplate must contain %DESTINATION_NAME% (or %DESTINATION%)',
    ]],
    ['an empty macro', '%DESTINATION%_%%_%SEGMENT_ID%', [`filenameTemplate contains the unknown macro %% (known: ${KNOWN})`]],
    ['a % that closes nothing', '%DESTINATION%_%SEGMENT_ID%_100%', ['filenameTemplate has a % that does not close a macro']],
    ['a date-time letter outside the allowed ones', '%DESTINATION%_%SEGMENT_ID%_%DATETIME(yyyyMMddTHH)%',
      ['filenameTemplate macro %DATETIME(yyyyMMddTHH)% may use only the date-time letters yyyy, YYYY, MM, dd, HH, mm, ss (other letters are not allowed)']],
    ['a two-digit year', '%DESTINATION%_%SEGMENT_ID%_%DATETIME(yyMMdd)%',
      ['filenameTemplate macro %DATETIME(yyMMdd)% may use only the date-time letters yyyy, YYYY, MM, dd, HH, mm, ss (other letters are not allowed)']],
    ['a slash', 'exports/%DESTINATION%_%SEGMENT_ID%', ['filenameTemplate must not contain / or \\']],
    ['a backslash in a date pattern', '%DESTINATION%_%SEGMENT_ID%_%DATETIME(yyyy\\MM)%', ['filenameTemplate must not contain / or \\']],
    ['a control character', '%DESTINATION%_%SEGMENT_ID%\u0007', ['filenameTemplate must not contain control characters']],
    ['a DEL character', '%DESTINATION%\u007f_%SEGMENT_ID%', ['filenameTemplate must not contain control characters']],
  ])('refuses %s', (_title, template, problems) => {
    expect(checkFilenameTemplate(template, WHERE)).toEqual(problems);
  });

  it('names the location it was given', () => {
    expect(checkFilenameTemplate('%SEGMENT_ID%', 'segmentSelectors.selectors[2].value.filenameTemplate'))
      .toEqual(['segmentSelectors.selectors[2].value.filenameTemplate must contain %DESTINATION_NAME% (or %DESTINATION%)']);
  });
});

describe('renderFileName', () => {
  const values: FileNameValues = {
    destinationName: 'Amazon S3',
    flowName: 'Acme S3 / CRM exports',
    flowId: 'ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb',
    segmentId: 'db8961e9-d52f-45bc-b3fb-76d0382a6851',
    segmentName: 'Flash sale\tVIP',
    organizationName: 'Acme Corp',
    sandboxName: 'prod',
    runStartedAt: Date.UTC(2025, 0, 7, 6, 0, 12, 999),
  };

  it('renders the default name of SPEC §8.3 without a template', () => {
    expect(renderFileName(undefined, values)).toBe('Amazon_S3_segmentdb8961e9-d52f-45bc-b3fb-76d0382a6851_20250107060012');
  });

  it('renders the AEP example template in UTC', () => {
    expect(renderFileName('%DESTINATION_NAME%_%SEGMENT_ID%_%DATETIME(YYYYMMdd_HHmmss)%', values))
      .toBe('Amazon_S3_db8961e9-d52f-45bc-b3fb-76d0382a6851_20250107_060012');
  });

  it('sanitises macro values but keeps custom text', () => {
    expect(renderFileName('Export of %SEGMENT_NAME% by %DESTINATION_INSTANCE_NAME% %SEGMENT_ID% %DESTINATION%', values))
      .toBe('Export of Flash_sale_VIP by Acme_S3___CRM_exports db8961e9-d52f-45bc-b3fb-76d0382a6851 Amazon_S3');
  });

  it('renders every other macro', () => {
    expect(renderFileName('%DESTINATION%-%SEGMENT_ID%-%ORGANIZATION_NAME%-%SANDBOX_NAME%-%DESTINATION_INSTANCE_ID%-%TIMESTAMP%', values))
      .toBe('Amazon_S3-db8961e9-d52f-45bc-b3fb-76d0382a6851-Acme_Corp-prod-ef2dcbd6-36fc-49a3-afed-d7b8e8f724eb-1736229612');
  });

  it('keeps the literal characters of a date-time pattern', () => {
    expect(renderFileName('%DESTINATION%_%SEGMENT_ID%_%DATETIME(yyyy-MM-dd HH.mm.ss)%', values))
      .toBe('Amazon_S3_db8961e9-d52f-45bc-b3fb-76d0382a6851_2025-01-07 06.00.12');
  });

  it('gives a static name for a template without a date-time macro', () => {
    expect(renderFileName('%DESTINATION%_%SEGMENT_ID%', { ...values, runStartedAt: 0 }))
      .toBe(renderFileName('%DESTINATION%_%SEGMENT_ID%', values));
  });

  it('throws on a template that the checks refuse', () => {
    expect(() => renderFileName('%DESTINATION%_%SEGMENT_ID%_%NOPE%', values)).toThrow(/unknown macro %NOPE%/);
  });
});

describe('sanitiseMacroValue', () => {
  it.each([
    ['Flash sale VIP', 'Flash_sale_VIP'],
    ['a/b\\c', 'a_b_c'],
    ['line\nbreak', 'line_break'],
    ['bell\u0007', 'bell'],
    ['c1\u0085', 'c1'],
    ['', ''],
  ])('turns %j into %j', (value, expected) => {
    expect(sanitiseMacroValue(value)).toBe(expected);
  });
});
