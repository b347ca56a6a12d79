# syntax=docker/dockerfile:1
# Concierge in a container: a release binary built with the Swift toolchain, run on slim Debian with
# only the shared libraries it links (the Swift runtime is linked in statically).
#
#   docker build -t concierge .
#   docker run -d --name concierge-blue -p 8081:8080 -v "$PWD/models:/models" \
#       -e CONCIERGE_COLOR=blue concierge
#
# The registry is a volume at /models (train into it with `concierge train --registry`, writable by
# uid 10001). Serving only reads it, so it may be mounted read-only (`-v "$PWD/models:/models:ro"`).
# Every serve setting comes from the environment (CONCIERGE_PORT, CONCIERGE_COLOR, CONCIERGE_VERSION, ...).

ARG SWIFT_IMAGE=swift:6.3-bookworm
ARG RUNTIME_IMAGE=debian:bookworm-slim

FROM ${SWIFT_IMAGE} AS build
# The -dev packages of the C libraries Package.swift finds through pkg-config. Versions are Debian
# bookworm's, which only takes security fixes: pinning them would break the build at the next fix.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends pkg-config libsqlite3-dev libssl-dev libnghttp2-dev libopenblas-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
# Dependencies first, so a change to the sources does not fetch them again.
COPY Package.swift ./
RUN swift package resolve
COPY Sources ./Sources
# SwiftPM checks that every target's folder exists, the test targets' too, even to build one product.
COPY Tests ./Tests
RUN swift build -c release --product concierge --static-swift-stdlib \
    && install -D -m 0755 "$(swift build -c release --show-bin-path)/concierge" /out/concierge

FROM ${RUNTIME_IMAGE}
# The shared libraries a binary built with --static-swift-stdlib links (ldd): SQLite, OpenSSL and
# libstdc++ (glibc is the base image's), nghttp2 for HTTP/2, and OpenBLAS (its threaded build, with
# libgfortran) for training's EASE. A system user owns nothing but /models. Versions as above.
# hadolint ignore=DL3008
RUN apt-get update \
    && apt-get install -y --no-install-recommends libsqlite3-0 libssl3 libnghttp2-14 libstdc++6 libopenblas0-pthread \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 concierge \
    && useradd --system --uid 10001 --gid concierge --home-dir /nonexistent --shell /usr/sbin/nologin concierge \
    && install -d -o concierge -g concierge /models
COPY --from=build /out/concierge /usr/local/bin/concierge

ENV CONCIERGE_HOST=0.0.0.0 \
    CONCIERGE_PORT=8080 \
    CONCIERGE_COLOR=blue \
    CONCIERGE_REGISTRY=/models \
    CONCIERGE_VERSION=production
VOLUME ["/models"]
EXPOSE 8080
# The concierge user, by number so that Kubernetes' runAsNonRoot can check it.
USER 10001:10001

# Ready means the model is loaded and answering: `concierge healthcheck` asks /health on
# $CONCIERGE_PORT and exits 0 only for "ready". Loading a large model takes a while: start period.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 CMD ["concierge", "healthcheck"]

# SIGTERM drains (in-flight requests finish) and exits 0 within CONCIERGE_DRAIN_TIMEOUT (25 s): stop
# with `docker stop -t 35` or more. serve handles signals itself, also as PID 1.
STOPSIGNAL SIGTERM
ENTRYPOINT ["concierge"]
CMD ["serve"]
