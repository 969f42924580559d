import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// Run with console/ as the root (`vite build console`): Express serves the build at /console.
export default defineConfig({
  base: '/console/',
  plugins: [react()],
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022' },
  // The console imports the server's pure modules (../src/domain, ../src/domain/request-schemas.ts).
  server: { fs: { allow: ['..'] } },
});
