// The Lambda protocol, one invocation at a time: next → handle → response or
// error. It knows the protocol and nothing about processes.
import { MalformedInvocationError, type Invocation, type RuntimeApiClient } from './runtime-api-client.ts';
import type { InvocationResult } from './program-invoker.ts';
import { diagnostic } from './diagnostic.ts';

export type InvocationHandler = (invocation: Invocation) => Promise<InvocationResult>;

export async function runInvocationLoop(
  client: RuntimeApiClient,
  handle: InvocationHandler,
  log: (line: string) => void,
): Promise<never> {
  for (;;) {
    let invocation: Invocation;
    try {
      invocation = await client.nextInvocation();
    } catch (err) {
      // Without a request id there is no error path to report it on: it is logged, and the loop goes on.
      if (!(err instanceof MalformedInvocationError)) throw err;
      log(`[cobolambda] the Runtime API handed out an invocation that cannot be answered, so it is dropped: ${err.message}`);
      continue;
    }
    const { requestId, traceId } = invocation.context;
    // The official clients set this per invocation and clear it when absent.
    if (traceId) process.env._X_AMZN_TRACE_ID = traceId;
    else delete process.env._X_AMZN_TRACE_ID;

    let result: InvocationResult;
    try {
      result = await handle(invocation);
    } catch (err) {
      result = { ok: false, error: diagnostic('Runtime.InternalError', `cobolambda runtime failed: ${(err as Error).message}`) };
    }
    try {
      const status = result.ok
        ? await client.postResponse(requestId, result.response)
        : await client.postError(requestId, result.error);
      if (result.ok && status === 413) {
        await client.postError(requestId, diagnostic('Function.ResponseSizeTooLarge', 'response is larger than the Runtime API accepts'));
      } else if (status >= 400) {
        log(`[cobolambda] Runtime API answered ${status} to the result of ${requestId}`);
      }
    } catch (err) {
      // The connection dropped while posting: that result is lost to this runtime, the next `next` decides what follows.
      log(`[cobolambda] could not post the result of ${requestId}: ${(err as Error).message}`);
    }
  }
}
