# syntax=docker/dockerfile:1.7
# The public target's image, built from its standalone output (build from the repository root:
#   docker build -f deploy/docker/public.Dockerfile -t release-passport-public .).
# Runs as a non-root user on a read-only root filesystem: the only writable places are the
# volumes /data (embedded database, blobs, local secrets) and /tmp.
# e2e/packaging/image.test.ts reproduces the final stage's COPY lines outside Docker and starts the
# server from that copy, so keep every file the image needs in a COPY of the final stage.

# Node 24 LTS: supported until April 2028 (Node 22 until April 2027, Node 20 ended on 2026-04-30),
# and the gate measured faster on it (content/docs/operations/performance.md, "Newer Node, lower
# ratio"). The server also runs on Node 20.19 or newer; the test suite passes on 20 and 24.
FROM node:24-bookworm-slim AS build
WORKDIR /src
COPY package.json package-lock.json ./
# The postinstall script applies patches/ (see patches/README.md) to the installed packages.
COPY patches/ patches/
RUN npm install --no-audit --no-fund
COPY . .
RUN node scripts/build.mjs public

FROM node:24-bookworm-slim AS image
ENV NODE_ENV=production \
    NEXT_TELEMETRY_DISABLED=1 \
    RP_TARGET=public \
    RP_BIND=0.0.0.0 \
    PORT=3001 \
    RP_DATA_DIR=/data
WORKDIR /app
COPY --from=build --chown=0:0 /src/.next-public/standalone/ /app/
USER 10001:10001
VOLUME ["/data", "/tmp"]
EXPOSE 3001
HEALTHCHECK --interval=30s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + process.env.PORT + '/api/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "rp-server.mjs"]
