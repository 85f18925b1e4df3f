// The STS AssumeRole answer of the S3 test front: just enough of AWS STS (query protocol, XML answers) for the S3
// connector's "Assumed Role" credentials to be exercised end to end — signed by a base key, checked against the
// role's external id, answered with temporary keys the front then accepts only with their session token.
import { randomBytes, randomUUID } from 'node:crypto';

/** A role the front lets base keys assume. */
export interface FrontRole {
  readonly roleArn: string;
  /** When set, AssumeRole must carry exactly this ExternalId. */
  readonly externalId?: string;
}

/** Temporary credentials issued by AssumeRole. */
export interface IssuedCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken: string;
}

export type StsAnswer =
  | { readonly ok: true; readonly issued: IssuedCredentials; readonly xml: string }
  | { readonly ok: false; readonly status: number; readonly xml: string };

/** Answers one STS request (form body) from a caller whose signature was already verified. */
export function answerSts(form: URLSearchParams, roles: readonly FrontRole[], callerMayAssume: boolean): StsAnswer {
  if (form.get('Action') !== 'AssumeRole') return stsError(400, 'InvalidAction', `Could not find operation ${form.get('Action') ?? ''}`);
  const roleArn = form.get('RoleArn') ?? '';
  const role = roles.find((candidate) => candidate.roleArn === roleArn);
  if (role === undefined || !callerMayAssume || (role.externalId !== undefined && form.get('ExternalId') !== role.externalId)) {
    return stsError(403, 'AccessDenied', `User is not authorized to perform: sts:AssumeRole on resource: ${roleArn}`);
  }
  const issued: IssuedCredentials = {
    accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
    secretAccessKey: randomBytes(30).toString('base64'),
    sessionToken: randomBytes(48).toString('base64'),
  };
  const expiration = new Date(Date.now() + 3_600_000).toISOString().replace(/\.\d{3}Z$/, 'Z');
  const xml = `<AssumeRoleResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><AssumeRoleResult><Credentials><AccessKeyId>${issued.accessKeyId}</AccessKeyId><SecretAccessKey>${issued.secretAccessKey}</SecretAccessKey><SessionToken>${issued.sessionToken}</SessionToken><Expiration>${expiration}</Expiration></Credentials><AssumedRoleUser><Arn>${roleArn}/${form.get('RoleSessionName') ?? ''}</Arn><AssumedRoleId>AROA:${form.get('RoleSessionName') ?? ''}</AssumedRoleId></AssumedRoleUser></AssumeRoleResult><ResponseMetadata><RequestId>${randomUUID()}</RequestId></ResponseMetadata></AssumeRoleResponse>`;
  return { ok: true, issued, xml };
}

function stsError(status: number, code: string, message: string): StsAnswer {
  return { ok: false, status, xml: stsErrorXml(code, message) };
}

/** An STS (query protocol) error document; S3's `<Error>` root would not parse as one. */
export function stsErrorXml(code: string, message: string): string {
  return `<ErrorResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><Error><Type>Sender</Type><Code>${code}</Code><Message>${message}</Message></Error><RequestId>${randomUUID()}</RequestId></ErrorResponse>`;
}
