#!/usr/bin/env bash
# Builds the image, runs it, waits until it is ready, runs the provider and
# admin suites against it through the target-URL variables, checks the image
# size, and cleans up. Works with docker or podman.
#
# Without registry access (LOCAL_BASE=1, or automatically when podman cannot
# pull), the base images are made locally: a builder from the host's Go
# toolchain plus busybox, and a runtime with CA certificates and a nonroot
# user; the Dockerfile's defaults stay the public images.
set -euo pipefail
cd "$(dirname "$0")/.."

image=${IMAGE:-paysandbox:check}
name=paysandbox-check-$$
max_mb=${MAX_IMAGE_MB:-25}
ports_base=${PORTS_BASE:-28080}

if command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
  engine=(docker)
  build=(docker build)
  run=(docker run)
elif command -v podman >/dev/null 2>&1; then
  engine=(podman --runtime runc --cgroup-manager=cgroupfs)
  build=("${engine[@]}" build --network host --format docker)
  run=("${engine[@]}" run --ulimit nofile=1024:1024 --ulimit nproc=1000:1000)
else
  echo "container-check: neither a docker engine nor podman is available" >&2
  exit 2
fi
echo "== engine: ${engine[*]}"

build_args=()
if [ "${LOCAL_BASE:-auto}" = 1 ] || { [ "${LOCAL_BASE:-auto}" = auto ] && ! "${engine[@]}" pull -q gcr.io/distroless/static-debian12:nonroot >/dev/null 2>&1; }; then
  echo "== no registry: importing local base images"
  work=$(mktemp -d)
  goroot=$(go env GOROOT)
  busybox=$(command -v busybox || echo /bin/busybox)
  [ -x "$busybox" ] || { echo "container-check: busybox(-static) is needed for the local builder" >&2; exit 2; }
  mkdir -p "$work/builder/bin" "$work/builder/usr/local" "$work/builder/tmp" "$work/builder/etc/ssl/certs" "$work/builder/go"
  cp -a "$goroot" "$work/builder/usr/local/go"
  cp "$busybox" "$work/builder/bin/busybox"
  for tool in sh mkdir cp mv rm ls cat env; do ln -sf busybox "$work/builder/bin/$tool"; done
  cp /etc/ssl/certs/ca-certificates.crt "$work/builder/etc/ssl/certs/"
  chmod 1777 "$work/builder/tmp"
  tar -C "$work/builder" -cf "$work/builder.tar" .
  "${engine[@]}" import --change 'ENV PATH=/usr/local/go/bin:/bin' --change 'ENV SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt' \
    "$work/builder.tar" localhost/paysandbox-local-go:latest >/dev/null
  mkdir -p "$work/runtime/etc/ssl/certs" "$work/runtime/tmp"
  cp /etc/ssl/certs/ca-certificates.crt "$work/runtime/etc/ssl/certs/"
  printf 'root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n' > "$work/runtime/etc/passwd"
  chmod 1777 "$work/runtime/tmp"
  tar -C "$work/runtime" -cf "$work/runtime.tar" .
  "${engine[@]}" import "$work/runtime.tar" localhost/paysandbox-local-runtime:latest >/dev/null
  rm -rf "$work"
  build_args=(--build-arg GO_IMAGE=localhost/paysandbox-local-go:latest --build-arg RUNTIME_IMAGE=localhost/paysandbox-local-runtime:latest)
  # the builder reaches the Go module proxy through the host network
  build_args+=(--build-arg GOPROXY="$(go env GOPROXY)")
  if [ "${engine[0]}" = podman ] && [ "${SHARE_GO_CACHE:-1}" = 1 ]; then
    # Reuse the host's module and build caches (-trimpath builds share cache
    # keys across directories), so CI does not compile go-mysql-server twice.
    mkdir -p "$(go env GOMODCACHE)" "$(go env GOCACHE)"
    build_args+=(-v "$(go env GOMODCACHE):/go/pkg/mod" -v "$(go env GOCACHE):/tmp/gocache")
  fi
fi

echo "== build $image"
"${build[@]}" "${build_args[@]}" --build-arg VERSION="check-$(git rev-parse --short HEAD 2>/dev/null || echo dev)" -t "$image" .

size=$("${engine[@]}" image inspect --format '{{.Size}}' "$image")
echo "== image size: $((size / 1024 / 1024)) MiB (limit $max_mb MiB)"
[ "$size" -le $((max_mb * 1024 * 1024)) ] || { echo "container-check: image is larger than $max_mb MiB" >&2; exit 1; }

a=$ports_base; r=$((ports_base + 1)); p=$((ports_base + 2)); y=$((ports_base + 3))
cleanup() { "${engine[@]}" rm -f "$name" >/dev/null 2>&1 || true; }
trap cleanup EXIT
echo "== run $name (admin :$a, rebilly :$r, payabli :$p, rapyd :$y on loopback)"
"${run[@]}" -d --name "$name" --network host \
  -e PAYSANDBOX_ADMIN_ADDR=127.0.0.1:$a -e PAYSANDBOX_REBILLY_ADDR=127.0.0.1:$r \
  -e PAYSANDBOX_PAYABLI_ADDR=127.0.0.1:$p -e PAYSANDBOX_RAPYD_ADDR=127.0.0.1:$y "$image" >/dev/null

ready=0
for _ in $(seq 1 150); do
  if "${engine[@]}" exec "$name" /paysandbox healthcheck --admin-addr 127.0.0.1:$a >/dev/null 2>&1; then ready=1; break; fi
  sleep 0.2 # waiting for a process we started; no test timing depends on it
done
[ $ready = 1 ] || { "${engine[@]}" logs "$name" >&2; echo "container-check: not ready" >&2; exit 1; }
echo "== ready; version: $("${engine[@]}" exec "$name" /paysandbox version)"
[ "$("${engine[@]}" exec "$name" /paysandbox version)" != "" ]
uid=$("${engine[@]}" inspect --format '{{.Config.User}}' "$image")
echo "== runs as user $uid"
[ "$uid" = "65532:65532" ] || { echo "container-check: image does not run as nonroot" >&2; exit 1; }

echo "== suites against the container"
PAYSANDBOX_TARGET_URL_REBILLY=http://127.0.0.1:$r PAYSANDBOX_TARGET_URL_PAYABLI=http://127.0.0.1:$p/api \
PAYSANDBOX_TARGET_URL_RAPYD=http://127.0.0.1:$y PAYSANDBOX_TARGET_URL_ADMIN=http://127.0.0.1:$a \
PAYSANDBOX_TARGET_ADMIN_URL=http://127.0.0.1:$a \
  go test -count=1 ./suites/rebilly/... ./suites/payabli/... ./suites/rapyd/... ./suites/admin/...
echo "== container check passed"
