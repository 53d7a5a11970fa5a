# syntax=docker/dockerfile:1
# Every program in cobol/ in one Lambda container image (provided.al2023):
#   docker build -t cobol-fn .
#   docker run -p 9000:8080 cobol-fn hello        # CMD = the handler = the program
#   curl -d '{"name":"Ada"}' http://localhost:9000/2015-03-31/functions/function/invocations
# The base image's entrypoint sets _HANDLER from CMD and starts the Runtime
# Interface Emulator when it runs outside Lambda. On Lambda the function's
# ImageConfig.Command picks the program (CDK: `packaging=image`).

# Stage 1: the same toolchain as layer/Dockerfile (keep the two in step; a test checks).
FROM public.ecr.aws/docker/library/node:20-bookworm-slim AS toolchain
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      gnucobol3 libcob4-dev libgmp-dev libdb5.3-dev libncurses-dev libxml2-dev \
      liblzma-dev zlib1g-dev binutils gcc libc6-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /cobolambda
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund
COPY layer/node/package.json layer/node/package-lock.json layer/node/
RUN npm ci --prefix layer/node --no-audit --no-fund
COPY runtime runtime
COPY layer layer
COPY infra infra

# Stage 2: the build, the same one the zip deployment runs.
FROM toolchain AS build
ARG COBOL_DIR=cobol
COPY ${COBOL_DIR} /src/cobol
RUN node --import tsx infra/build-asset.ts --part all --arch "$(uname -m | sed 's/aarch64/arm64/')" \
      --cobol-dir /src/cobol --build-dir /tmp/build --out /out

# Stage 3: what Lambda runs. /opt holds both layers unzipped, as on a zip function.
FROM public.ecr.aws/lambda/provided:al2023
COPY --from=build /out/runtime/ /opt/
COPY --from=build /out/programs/ /opt/
# The base image starts /var/runtime/bootstrap; ours lives in /opt beside its Node.js.
COPY --chmod=755 <<'SH' /var/runtime/bootstrap
#!/bin/sh
exec /opt/bootstrap
SH
ENV COBOLAMBDA_PROGRAM_DIR=/opt/bin
CMD ["hello"]
