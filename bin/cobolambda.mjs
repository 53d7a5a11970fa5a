#!/usr/bin/env node
// The CLI is TypeScript run through tsx, so there is no compile step between a
// checkout and `npm start`.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every process that Node.js 20 support is ending. cobolambda
// supports Node 20 (package.json "engines"), so the warning is not the user's to
// read: this is the SDK's own switch, and the CDK app and CLI that deploy starts inherit it.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

register();
await import('../cli/main.ts');
