import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { TriggerReply } from '../reply.js';
import type { CapturedBody } from '../../../core/model/hit-detail.js';
import type { CredentialClient } from '../credential-client.js';

export interface AwsRequest {
  query: string;
  headers: IncomingHttpHeaders;
  body?: CapturedBody;
}

/**
 * Answers AWS clients as AWS answers a leaked key that works but may do nothing: STS
 * GetCallerIdentity succeeds (it needs no permission, and attackers call it first), everything
 * else is denied in the error format of the service's protocol, so the CLI prints a normal
 * "AccessDenied" and the attacker has no reason to suspect the endpoint. The identity is derived
 * from the access key id alone: stable across calls, independent of any token.
 */

const USER_NAMES = ['svc-backup', 'ci-deploy', 'terraform', 'data-pipeline', 'legacy-admin', 'monitoring', 'billing-export', 'ops-automation'];
const BASE32_UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

interface Identity {
  account: string;
  arn: string;
  userId: string;
}

function identityFor(accessKeyId: string): Identity {
  const digest = createHash('sha256').update(accessKeyId).digest();
  const account = (digest.readBigUInt64BE(0) % 1_000_000_000_000n).toString().padStart(12, '0');
  const user = USER_NAMES[digest[8]! % USER_NAMES.length]!;
  const userId = `AIDA${[...digest.subarray(9, 26)].map((byte) => BASE32_UPPER[byte % 32]).join('')}`;
  return { account, arn: `arn:aws:iam::${account}:user/${user}`, userId };
}

function xml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function header(headers: IncomingHttpHeaders, name: string): string {
  const value = headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? '';
}

/** The operation of a Query-protocol call (STS, IAM, EC2, SQS ...): Action in the form body or the URL. */
function queryAction(request: AwsRequest): string | undefined {
  const form = request.body?.encoding === 'utf8' ? request.body.head : '';
  const action = new URLSearchParams(form).get('Action') ?? new URLSearchParams(request.query).get('Action');
  return action && /^[A-Za-z0-9]{1,64}$/.test(action) ? action : undefined;
}

/** The operation of a JSON-protocol call: `X-Amz-Target: DynamoDB_20120810.ListTables`. */
function jsonTarget(request: AwsRequest): string | undefined {
  const operation = header(request.headers, 'x-amz-target').split('.').pop();
  return operation && /^[A-Za-z0-9]{1,64}$/.test(operation) ? operation : undefined;
}

function denial(identity: Identity | undefined, service: string, operation: string | undefined): string {
  if (!identity) return 'Access Denied';
  const action = operation ? `${service}:${operation}` : `${service}:*`;
  return `User: ${identity.arn} is not authorized to perform: ${action} because no identity-based policy allows the ${action} action`;
}

function sendXml(reply: TriggerReply, code: number, body: string): TriggerReply {
  return reply.code(code).header('content-type', 'text/xml').send(`<?xml version="1.0" encoding="UTF-8"?>\n${body}`);
}

export function answerAws(reply: TriggerReply, client: CredentialClient, request: AwsRequest): TriggerReply {
  const credential = client.credential;
  const service = credential?.service && /^[a-z0-9-]{1,64}$/.test(credential.service) ? credential.service : 's3';
  const identity = credential?.accessKeyId ? identityFor(credential.accessKeyId) : undefined;
  const requestId = randomUUID();
  reply.header('x-amzn-requestid', requestId);

  const target = jsonTarget(request);
  if (target) {
    const type = header(request.headers, 'content-type').startsWith('application/x-amz-json-1.0') ? 'application/x-amz-json-1.0' : 'application/x-amz-json-1.1';
    return reply
      .code(400)
      .header('content-type', type)
      .send(JSON.stringify({ __type: 'AccessDeniedException', message: denial(identity, service, target) }));
  }
  if (service === 's3') {
    const s3RequestId = randomBytes(8).toString('hex').toUpperCase();
    return sendXml(
      reply.header('x-amz-request-id', s3RequestId).header('x-amz-id-2', randomBytes(48).toString('base64')).header('server', 'AmazonS3'),
      403,
      `<Error><Code>AccessDenied</Code><Message>Access Denied</Message><RequestId>${s3RequestId}</RequestId><HostId>${randomBytes(48).toString('base64')}</HostId></Error>`,
    );
  }
  const action = queryAction(request);
  if (service === 'sts' && action === 'GetCallerIdentity' && identity) {
    return sendXml(
      reply,
      200,
      `<GetCallerIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/"><GetCallerIdentityResult><Arn>${xml(identity.arn)}</Arn>` +
        `<UserId>${identity.userId}</UserId><Account>${identity.account}</Account></GetCallerIdentityResult>` +
        `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></GetCallerIdentityResponse>`,
    );
  }
  if (service === 'ec2') {
    return sendXml(
      reply,
      403,
      `<Response><Errors><Error><Code>UnauthorizedOperation</Code><Message>You are not authorized to perform this operation. ${xml(denial(identity, service, action))}</Message></Error></Errors><RequestID>${requestId}</RequestID></Response>`,
    );
  }
  if (action) {
    return sendXml(
      reply,
      403,
      `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>${xml(denial(identity, service, action))}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`,
    );
  }
  // REST-JSON services (Lambda, API Gateway ...): the error type travels in a header.
  return reply
    .code(403)
    .header('content-type', 'application/json')
    .header('x-amzn-errortype', 'AccessDeniedException')
    .send(JSON.stringify({ Message: denial(identity, service, undefined) }));
}
