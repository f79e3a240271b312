# The service as an image: `docker compose up` runs it with its whole stack (docker-compose.yml).

# Build: compile with every dependency, dev ones included.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts: the build needs none, and some would phone home (see allowScripts in package.json).
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json nest-cli.json ./
COPY src ./src
COPY migrations ./migrations
COPY console ./console
# The service, then the console's bundle (dist/console; esbuild and preact are dev dependencies).
RUN npx nest build && node console/build.mjs

# Runtime: production dependencies and the compiled service only, run by an unprivileged user.
# Optional dependencies are left out: they are the embedded PostgreSQL's binaries (production
# refuses to start without DATABASE_URL) and shims for other platforms.
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --omit=optional --ignore-scripts --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Ready means the database answers (GET /health/ready); fetch is built into Node 20.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# The heap bound keeps a process near 150 MB under load (docs/decisions.md, "heap bound").
CMD ["node", "--max-old-space-size=160", "dist/src/main.js"]
