// A real S3-compatible server for tests: s3rver on a free port, its objects in a temp dir.
import S3rver from 's3rver';
import { S3Client } from '@aws-sdk/client-s3';
import { tempDir } from './cobc.ts';

export interface S3Server {
  endpoint: string;
  /** What a function needs to reach it through the SDK's standard settings. */
  env: Record<string, string>;
  client: S3Client;
  close(): Promise<void>;
}

export async function startS3Server(buckets: string[]): Promise<S3Server> {
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: tempDir('s3rver'), configureBuckets: buckets.map((name) => ({ name })) });
  const { port } = (await server.run()) as { port: number };
  const endpoint = `http://127.0.0.1:${port}`;
  // s3rver's fixed credentials; it checks signatures made with them.
  const env = { AWS_ENDPOINT_URL_S3: endpoint, AWS_ACCESS_KEY_ID: 'S3RVER', AWS_SECRET_ACCESS_KEY: 'S3RVER', AWS_REGION: 'us-east-1' };
  const client = new S3Client({ endpoint, forcePathStyle: true, region: 'us-east-1', credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } });
  return {
    endpoint,
    env,
    client,
    async close() {
      client.destroy();
      await server.close();
    },
  };
}
