/**
 * `check s3://BUCKET/PREFIX/` against moto: the corpus stored as gzipped JSON Lines
 * objects, as Macie stores its results, and read back by the built command line.
 */
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import {
  isConflictingAwsEnvVar,
  motoClientConfig,
  motoEnv,
  startMotoServer,
} from '../test/support/moto-server';
import { median, runNode } from './measure';
import type { BenchContext } from './section';

const BUCKET = 'bench-macie-results';
const PREFIX = 'AWSLogs/123456789012/Macie/us-east-1/bench-job/';
/** Objects the corpus is split into (Macie writes many objects of a few MB). */
const OBJECTS = 10;

/**
 * Median seconds of `runs` runs of `check s3://...` over the JSON Lines file `corpus`
 * (`findings` findings), against a moto server started for it.
 */
export async function timeS3Check(
  ctx: BenchContext,
  cli: string,
  corpus: string,
  runs: number,
): Promise<number> {
  const moto = await startMotoServer();
  try {
    const s3 = new S3Client(motoClientConfig(moto.endpoint));
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    const lines = readFileSync(corpus, 'utf8')
      .split('\n')
      .filter((line) => line !== '');
    const perObject = Math.ceil(lines.length / OBJECTS);
    for (let part = 0; part < OBJECTS; part++) {
      const body = `${lines.slice(part * perObject, (part + 1) * perObject).join('\n')}\n`;
      await s3.send(
        new PutObjectCommand({
          Bucket: BUCKET,
          Key: `${PREFIX}part-${String(part).padStart(3, '0')}.jsonl.gz`,
          Body: gzipSync(body),
        }),
      );
    }
    const env = {
      ...Object.fromEntries(
        Object.entries(process.env).filter(([name]) => !isConflictingAwsEnvVar(name)),
      ),
      ...motoEnv(moto.endpoint),
    };
    ctx.log(`check s3://${BUCKET}/${PREFIX}: ${lines.length} findings in ${OBJECTS} objects`);
    const seconds: number[] = [];
    for (let run = 0; run < runs; run++) {
      const args = [cli, 'check', `s3://${BUCKET}/${PREFIX}`, '--format', 'json'];
      seconds.push((await runNode(args, { cwd: ctx.root, env })).seconds);
    }
    return median(seconds);
  } finally {
    await moto.stop();
  }
}
