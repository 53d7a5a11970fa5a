// A batch function's S3 access: s3:GetObject on the prefixes it reads,
// s3:PutObject (and s3:AbortMultipartUpload, so a failed multipart upload can
// clean up its parts) on the prefixes it writes. Never a wildcard bucket; the
// only wildcard is the one that makes a key prefix a prefix.
import { Stack, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import type { S3Access } from '../layer/batch.ts';

/** `bucket` or `bucket/prefix` → the ARN of every object under it. */
function objectsArn(stack: Stack, grant: string): string {
  const slash = grant.indexOf('/');
  const bucket = slash < 0 ? grant : grant.slice(0, slash);
  const prefix = slash < 0 ? '' : grant.slice(slash + 1);
  if (!/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(bucket) || prefix.includes('*')) {
    throw new Error(`S3 access "${grant}" must be a bucket or bucket/prefix, without wildcards`);
  }
  return `arn:${stack.partition}:s3:::${bucket}/${prefix}*`;
}

export function grantS3Access(fn: lambda.Function, access: S3Access | undefined): void {
  if (!access) return;
  const stack = Stack.of(fn);
  const statements: Array<[string[], string[]]> = [
    [['s3:GetObject'], access.read ?? []],
    [['s3:PutObject', 's3:AbortMultipartUpload'], access.write ?? []],
  ];
  for (const [actions, grants] of statements) {
    if (grants.length === 0) continue;
    fn.addToRolePolicy(new iam.PolicyStatement({ actions, resources: grants.map((g) => objectsArn(stack, g)) }));
    // cdk-nag flags every wildcard; these are key prefixes of named buckets, which is what was asked for.
    for (const g of grants) {
      Validations.of(fn.role ?? fn).acknowledge({
        id: `AwsSolutions-IAM5[Resource::${objectsArn(stack, g).replace(stack.partition, '<AWS::Partition>')}]`,
        reason: `objects under ${g}, which the program ${actions.includes('s3:GetObject') ? 'reads' : 'writes'} (cobolambda.json s3)`,
      });
    }
  }
}
