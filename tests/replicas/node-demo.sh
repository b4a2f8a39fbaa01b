#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The node/camera network end to end: scripts/demo's flow, short. Needs root or
# unprivileged user namespaces; skipped (77) with a reason when neither exists.
set -uo pipefail
cd "$(dirname "$0")/../.." || exit 1
if [ "$(id -u)" -ne 0 ] && ! unshare --user --map-root-user --net true 2>/dev/null; then
  echo "skipped: not root and no unprivileged user namespaces: cannot build the node network"
  exit 77
fi
HOSTNETRTP_DEMO_INNER=1 scripts/demo --duration "${DEMO_SECONDS:-8}"
