# paysandbox simulator image: a static binary on a minimal non-root runtime.
#
#   docker build -t paysandbox .
#   docker run --rm -p 8080-8083:8080-8083 paysandbox
#
# Base images are build arguments, so a machine without registry access can
# build from locally imported images (see scripts/container-check.sh).
ARG GO_IMAGE=golang:1.26-bookworm
ARG RUNTIME_IMAGE=gcr.io/distroless/static-debian12:nonroot

FROM ${GO_IMAGE} AS build
ARG GOPROXY=https://proxy.golang.org,direct
ENV PATH=/usr/local/go/bin:/go/bin:${PATH} GOPATH=/go GOCACHE=/tmp/gocache GOTOOLCHAIN=local CGO_ENABLED=0 GOPROXY=${GOPROXY}
WORKDIR /src
COPY go.mod go.sum ./
# go.mod replaces go-icu-regex with this in-tree module (see its regex.go).
COPY simulator/store/icuregex/ simulator/store/icuregex/
RUN go mod download
COPY . .
ARG VERSION=dev
# PACK=1 (default): ship the binary zstd-compressed inside a small
# self-extracting entry point (simulator/cmd/paysandbox-packed): ~15 MB image
# instead of ~60 MB, ~0.1 s more per start. PACK=0 ships the plain binary.
ARG PACK=1
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/paysandbox.full ./simulator/cmd/paysandbox \
 && if [ "${PACK}" = "1" ]; then \
      go run ./scripts/pack -in /out/paysandbox.full -out simulator/cmd/paysandbox-packed/payload.zst \
      && go build -tags packed -trimpath -ldflags "-s -w" -o /out/paysandbox ./simulator/cmd/paysandbox-packed; \
    else mv /out/paysandbox.full /out/paysandbox; fi

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/paysandbox /paysandbox
# 65532 is distroless' "nonroot" user.
USER 65532:65532
# The binary's defaults bind loopback (127.0.0.1) only; in the image every
# listener binds all interfaces so `-p` reaches it. `paysandbox healthcheck`
# reads the same variables and asks 127.0.0.1.
ENV PAYSANDBOX_ADMIN_ADDR=0.0.0.0:8080 PAYSANDBOX_REBILLY_ADDR=0.0.0.0:8081 \
    PAYSANDBOX_PAYABLI_ADDR=0.0.0.0:8082 PAYSANDBOX_RAPYD_ADDR=0.0.0.0:8083
EXPOSE 8080 8081 8082 8083
HEALTHCHECK --interval=10s --timeout=3s --start-period=5s --retries=3 CMD ["/paysandbox", "healthcheck"]
ENTRYPOINT ["/paysandbox"]
CMD ["serve"]
