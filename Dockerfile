# The chathook API and worker image (one image, two commands). Built by docker-compose.yml.
FROM node:20.19.5-bookworm-slim AS console
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY console ./console
COPY scripts ./scripts
RUN npm run build:console

FROM node:20.19.5-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY workflows ./workflows
COPY activities ./activities
COPY --from=console /app/console/dist ./console/dist
USER node
EXPOSE 3000
CMD ["node", "--import", "tsx", "src/bin/api-main.ts"]
