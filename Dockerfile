# DenseServe container image.
#
#   docker build -t denseserve .
#   docker run --rm -p 8080:8080 -v denseserve-models:/var/lib/denseserve/models denseserve
#
# No Docker engine runs on our machines: scripts/container-check.sh proves this file instead
# (hadolint; the build step below with the same flags; a debootstrap'ed bookworm root
# filesystem made by replaying the runtime stage's RUN/COPY/ENV/USER/WORKDIR steps; the
# server started there under chroot as the image's user and probed). It reads this file,
# so keep every runtime step a plain RUN, COPY, ENV, WORKDIR or USER instruction.

# ---- build stage: the README's build step, with the Swift standard library linked in ----
# The official Swift image for the toolchain we use (Swift 6.3.1), on Debian 12 like the
# runtime stage so glibc matches.
FROM swift:6.3-bookworm AS build
# Unpinned (DL3008): build-only -dev packages of a stable release; see the runtime stage.
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenblas-dev zlib1g-dev libnghttp2-dev pkg-config \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
RUN swift build -c release --static-swift-stdlib --product dense-server \
 && install -D -m 0755 "$(swift build -c release --show-bin-path)/dense-server" /out/dense-server \
 && strip /out/dense-server

# ---- runtime stage: only the shared libraries `ldd dense-server` needs ----
# glibc, libstdc++6 and libgcc-s1 come with the base image; zlib and libnghttp2 are installed
# (OpenBLAS is the benchmarks' alone: the server does not link it). scripts/container-check.sh
# fails when ldd needs a library the rootfs lacks or when a package below provides nothing ldd
# lists.
FROM debian:bookworm-slim AS runtime
# Unpinned on purpose: bookworm is a stable release, so these resolve to the current
# security-patched build; exact pins break at every point release. (DL3008)
# hadolint ignore=DL3008
RUN apt-get update \
 && apt-get install -y --no-install-recommends zlib1g libnghttp2-14 \
 && rm -rf /var/lib/apt/lists/*
# A fixed non-root uid/gid so Kubernetes' runAsUser/fsGroup can name them.
RUN groupadd --system --gid 10001 denseserve \
 && useradd --system --uid 10001 --gid denseserve --no-create-home \
      --home-dir /var/lib/denseserve --shell /usr/sbin/nologin denseserve \
 && mkdir -p /var/lib/denseserve/models \
 && chown -R denseserve:denseserve /var/lib/denseserve
WORKDIR /opt/denseserve
COPY --from=build /out/dense-server /usr/local/bin/dense-server
COPY config ./config
# Listen on every interface inside the container; registered models go to the volume;
# config/ is read relative to WORKDIR (config/server.json, seed models in config/models).
ENV DENSE_HOST=0.0.0.0 \
    DENSE_PORT=8080 \
    DENSE_MODEL_DIR=/var/lib/denseserve/models
VOLUME ["/var/lib/denseserve/models"]
USER 10001:10001
EXPOSE 8080
# The server drains on SIGTERM (readiness 503, grace, finish in-flight, exit 0).
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 \
  CMD ["dense-server", "healthcheck"]
ENTRYPOINT ["dense-server"]
CMD ["serve"]
