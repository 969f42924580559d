#!/usr/bin/env bash
# Typechecks and builds the web console into console/dist (served by the API at /console).
# `npm start` and the browser tests build it on their own when it is missing or stale.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
npx tsc --noEmit -p console
node --import tsx -e "import('./src/platform/embedded/console-build.ts').then(async (m) => { const outcome = await m.ensureConsoleBuilt(console.log); console.log('console: ' + outcome); })"
