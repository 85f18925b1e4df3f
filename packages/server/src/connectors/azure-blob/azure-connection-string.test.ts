// The connection-string parser: the forms Azure issues, and every refusal naming its fault without the secret.
import { describe, expect, it } from 'vitest';
import { AzureConnectionStringError, parseAzureConnectionString } from './azure-connection-string.js';

const KEY = Buffer.from('k'.repeat(64)).toString('base64');

describe('parseAzureConnectionString', () => {
  it.each([
    [
      'an account key with the default endpoint suffix',
      `DefaultEndpointsProtocol=https;AccountName=acme;AccountKey=${KEY};EndpointSuffix=core.windows.net`,
      { blobEndpoint: 'https://acme.blob.core.windows.net', credentials: { type: 'shared-key', accountName: 'acme', accountKey: KEY } },
    ],
    [
      'an account key in a sovereign cloud, keys in any case',
      `defaultendpointsprotocol=https;accountname=acme;ACCOUNTKEY=${KEY};EndpointSuffix=core.chinacloudapi.cn;`,
      { blobEndpoint: 'https://acme.blob.core.chinacloudapi.cn', credentials: { type: 'shared-key', accountName: 'acme', accountKey: KEY } },
    ],
    [
      'an explicit BlobEndpoint (emulator), trailing slash dropped',
      `DefaultEndpointsProtocol=http;AccountName=devstoreaccount1;AccountKey=${KEY};BlobEndpoint=http://127.0.0.1:10000/devstoreaccount1/;`,
      { blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1', credentials: { type: 'shared-key', accountName: 'devstoreaccount1', accountKey: KEY } },
    ],
    [
      'a SAS with its endpoint',
      'BlobEndpoint=https://acme.blob.core.windows.net/;SharedAccessSignature=sv=2022-11-02&ss=b&srt=co&sp=rwdl&se=2030-01-01T00:00:00Z&sig=abc%3D',
      { blobEndpoint: 'https://acme.blob.core.windows.net', credentials: { type: 'sas', sasToken: 'sv=2022-11-02&ss=b&srt=co&sp=rwdl&se=2030-01-01T00:00:00Z&sig=abc%3D' } },
    ],
  ])('reads %s', (_what, text, expected) => {
    expect(parseAzureConnectionString(text)).toEqual(expected);
  });

  it.each([
    ['an empty string', '', /is empty/],
    ['a misspelt key', `AccountName=acme;AcountKey=${KEY}`, /"AcountKey"/],
    ['a part without "="', `AccountName=acme;${KEY}`, /without a recognised key/],
    ['a key without a value', 'AccountName=acme;AccountKey', /"AccountKey" without a value/],
    ['a key set twice', `AccountName=acme;AccountName=acme;AccountKey=${KEY}`, /sets "AccountName" twice/],
    ['an upper-case account name', `AccountName=Acme;AccountKey=${KEY}`, /AccountName must be 3–24 lower-case/],
    ['a truncated account key', `AccountName=acme;AccountKey=${KEY.slice(0, -3)}`, /AccountKey is not valid base64/],
    ['an account key with a stray character', `AccountName=acme;AccountKey=${KEY}!`, /AccountKey is not valid base64/],
    ['an unknown protocol', `DefaultEndpointsProtocol=ftp;AccountName=acme;AccountKey=${KEY}`, /DefaultEndpointsProtocol must be/],
    ['a BlobEndpoint that is not a URL', `AccountName=acme;AccountKey=${KEY};BlobEndpoint=acme.blob`, /BlobEndpoint is not a URL/],
    ['a BlobEndpoint with a query', `AccountName=acme;AccountKey=${KEY};BlobEndpoint=https://x.example/?sig=1`, /without query/],
    ['no account at all', `AccountKey=${KEY}`, /names no storage account/],
    ['an account without credentials', 'AccountName=acme', /no credentials/],
    ['both a key and a SAS', `BlobEndpoint=https://x.example;AccountName=acme;AccountKey=${KEY};SharedAccessSignature=sv=1&sig=2`, /both AccountKey and SharedAccessSignature/],
    ['a SAS without a signature', 'BlobEndpoint=https://x.example;SharedAccessSignature=sv=2022-11-02&sp=r', /sv= and sig=/],
    ['a SAS without an endpoint', 'AccountName=acme;SharedAccessSignature=sv=1&sig=2', /needs a BlobEndpoint/],
    ['the development-storage shortcut', 'UseDevelopmentStorage=true', /UseDevelopmentStorage is not supported/],
  ])('refuses %s, naming the fault and never the secret', (_what, text, message) => {
    let thrown: unknown;
    try {
      parseAzureConnectionString(text);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AzureConnectionStringError);
    const { message: text_ } = thrown as Error;
    expect(text_).toMatch(message);
    expect(text_).not.toContain(KEY.slice(0, 20));
    expect(text_).not.toContain('sig=2');
  });
});
