import { z } from 'zod';

// zod compiles object parsers with `new Function` unless told not to, and probes for it first:
// under the API's Content-Security-Policy (`script-src 'self'`, no 'unsafe-eval') that probe is a
// policy violation on every page load. Imported first by main.tsx, before any schema parses.
z.config({ jitless: true });
