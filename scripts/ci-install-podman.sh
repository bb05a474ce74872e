#!/usr/bin/env bash
# Installs what scripts/container-check.sh needs on a Debian CI machine
# without a docker engine: podman, runc, and busybox-static (for the locally
# imported builder image). Does nothing when podman is already there.
set -euo pipefail
if command -v podman >/dev/null 2>&1 && command -v runc >/dev/null 2>&1 && command -v busybox >/dev/null 2>&1; then
  exit 0
fi
if [ "$(id -u)" != 0 ]; then sudo=sudo; else sudo=; fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
$sudo apt-get install -y -qq --no-install-recommends podman runc busybox-static >/dev/null
podman --version
