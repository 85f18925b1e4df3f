// SQL for a record's `segmentMembership` system field (SPEC §3.1): its shape check and the canonical text the lake keeps.
//
// Shape: `{"ups": {<audience id>: {"status": "realized"|"existing"|"exited", "lastQualificationTime": <RFC 3339>}}}`.
// Its size is bounded by the record limit (RECORD_TOO_LARGE comes first). Audience ids are data: map keys, never paths.
import { convertScalarSql, sqlString } from './ingestion-sql.js';

/** The namespace of every membership (SPEC limitation 16). */
export const MEMBERSHIP_NAMESPACE = 'ups';
const STATUSES = ['realized', 'existing', 'exited'];
const ENTRY_KEYS = ['status', 'lastQualificationTime'];

export const SEGMENT_MEMBERSHIP_SHAPE =
  'segmentMembership must be an object {"ups": {"<audience id>": {"status": "realized|existing|exited", "lastQualificationTime": "<RFC 3339 date-time>"}}}';

/**
 * Select items over `rawText` (the field's JSON text as read, NULL or `null` when absent), in two stages:
 * `first` adds `"$smj"` (the parsed JSON) and `"$sm_entries"` (the `ups` object's entries, NULL when not an object);
 * `second` adds `"$sm_problem"` (why the value is rejected, NULL when valid or absent) and `"$sm_text"` (canonical
 * JSON text: only the `ups` namespace, times as UTC `…T…:…:….mmmZ`; NULL when absent or invalid).
 */
export function segmentMembershipColumnsSql(rawText: string): { first: string[]; second: string[] } {
  const first = [
    `TRY_CAST(NULLIF(${rawText}, 'null') AS JSON) AS "$smj"`,
    `map_entries(TRY_CAST(json_extract(TRY_CAST(NULLIF(${rawText}, 'null') AS JSON), '$.${MEMBERSHIP_NAMESPACE}') AS MAP(VARCHAR, JSON))) AS "$sm_entries"`,
  ];
  const status = `json_extract_string("$e".value, '$.status')`;
  const timeText = `json_extract_string("$e".value, '$.lastQualificationTime')`;
  const time = convertScalarSql('date-time', timeText, 'false').value;
  const entryValid =
    `coalesce("$e".key <> '' AND json_type("$e".value) = 'OBJECT' ` +
    `AND len(list_filter(json_keys("$e".value), lambda "$k": NOT list_contains(${sqlList(ENTRY_KEYS)}, "$k"))) = 0 ` +
    `AND json_type("$e".value, '$.status') = 'VARCHAR' AND list_contains(${sqlList(STATUSES)}, ${status}) ` +
    `AND json_type("$e".value, '$.lastQualificationTime') = 'VARCHAR' AND ${time} IS NOT NULL, false)`;
  const absent = `NULLIF(${rawText}, 'null') IS NULL`;
  const problem =
    `CASE WHEN ${absent} THEN NULL WHEN "$smj" IS NULL THEN 'segmentMembership is not valid JSON' ` +
    `WHEN json_type("$smj") <> 'OBJECT' OR len(list_filter(json_keys("$smj"), lambda "$k": "$k" <> ${sqlString(MEMBERSHIP_NAMESPACE)})) > 0 ` +
    `OR (json_exists("$smj", '$.${MEMBERSHIP_NAMESPACE}') AND "$sm_entries" IS NULL) THEN ${sqlString(SEGMENT_MEMBERSHIP_SHAPE)} ` +
    `WHEN len(list_distinct(list_transform(coalesce("$sm_entries", []), lambda "$e": "$e".key))) <> len(coalesce("$sm_entries", [])) ` +
    `THEN 'segmentMembership.ups names an audience twice' ` +
    `WHEN len(list_filter(coalesce("$sm_entries", []), lambda "$e": NOT ${entryValid})) > 0 THEN ${sqlString(SEGMENT_MEMBERSHIP_SHAPE)} END`;
  // Built as text, not as a MAP: a map of repeated keys (a rejected row) would raise an error for the whole file.
  const canonical =
    `'{"${MEMBERSHIP_NAMESPACE}":{' || array_to_string(list_transform(coalesce("$sm_entries", []), lambda "$e": to_json("$e".key)::VARCHAR || ':' || ` +
    `to_json({'status': ${status}, 'lastQualificationTime': strftime(${time}, '%Y-%m-%dT%H:%M:%S.%gZ')})::VARCHAR), ',') || '}}'`;
  return { first, second: [`${problem} AS "$sm_problem"`, `CASE WHEN NOT ${absent} THEN ${canonical} END AS "$sm_text"`] };
}

function sqlList(values: readonly string[]): string {
  return `[${values.map(sqlString).join(', ')}]`;
}
