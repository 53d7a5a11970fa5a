# Every program in cobol/ in one Lambda container image (provided.al2023):
#   docker build -t cobol-fn .
#   docker run -p 9000:8080 cobol-fn hello        # CMD = the handler = the program
#   curl -d '{"name":"Ada"}' http://localhost:9000/2015-03-31/functions/function/invocations
# The base image's entrypoint sets _HANDLER from CMD and starts the Runtime
# Interface Emulator when it runs outside Lambda. On Lambda the function's
# ImageConfig.Command picks the program (CDK: `packaging=image`).
# The base images are build arguments (defaults below), e.g. for a registry mirror:
#   docker build --build-arg TOOLCHAIN_IMAGE=... --build-arg LAMBDA_BASE_IMAGE=... -t cobol-fn .
ARG TOOLCHAIN_IMAGE=public.ecr.aws/docker/library/node:20-bookworm-slim
ARG LAMBDA_BASE_IMAGE=public.ecr.aws/lambda/provided:al2023

# Stage 1: the same toolchain as layer/Dockerfile (keep the two in step; a test checks).
FROM ${TOOLCHAIN_IMAGE} AS toolchain
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
# The base image starts /var/runtime/bootstrap; ours lives in /opt beside its Node.js.
# Written here, so the last stage only copies (no RUN on the Lambda base image).
RUN printf '#!/bin/sh\nexec /opt/bootstrap\n' > /out/var-runtime-bootstrap && chmod 755 /out/var-runtime-bootstrap

# Stage 3: what Lambda runs. /opt holds both layers unzipped, as on a zip function.
FROM ${LAMBDA_BASE_IMAGE}
COPY --from=build /out/runtime/ /opt/
COPY --from=build /out/programs/ /opt/
COPY --from=build /out/var-runtime-bootstrap /var/runtime/bootstrap
ENV COBOLAMBDA_PROGRAM_DIR=/opt/bin
CMD ["hello"]
