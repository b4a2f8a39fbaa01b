#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# Runs an ASan-instrumented test with GStreamer's registry prepared first.
# The plugin scanner is not instrumented and cannot load the instrumented
# plugin ("ASan runtime does not come first"), so the tests scan in-process
# (GST_REGISTRY_FORK=no). Scanning every system plugin in-process would make
# their one-time class allocations look like leaks: so the system plugins
# are cached first by the uninstrumented gst-inspect-1.0, and the test
# process scans only this project's plugin.
#   with-system-registry.sh SYSTEM-PLUGIN-DIR TEST [ARGS...]
set -euo pipefail
system_dir=$1; shift
: "${GST_REGISTRY:?}"
GST_REGISTRY_FORK=yes GST_PLUGIN_PATH=$system_dir LD_PRELOAD= gst-inspect-1.0 >/dev/null 2>&1 || true
export GST_REGISTRY_FORK=no
exec "$@"
