# SPDX-License-Identifier: LGPL-2.1-or-later
# hostnetrtp — a simulated node and its camera LAN, as network namespaces.
# Source this file, then:
#   topology_up PREFIX NCAMS   creates PREFIX-node (198.18.0.1/24, fd18::1/64) and
#                              PREFIX-cams (198.18.0.11 ..., fd18::11 ...: one address
#                              per camera), linked by veth (PREFIX-n in the node)
#   in_node CMD...             runs CMD in the node (what hostNetwork: true means)
#   in_cams CMD...             runs CMD on the camera LAN
#   topology_down              removes both namespaces
# The node namespace is what every replica of a hostNetwork pod shares.
# Needs root (CAP_NET_ADMIN); see topology_enter_private for unprivileged users.
# 198.18.0.0/15 is the benchmarking range and fd18::/64 a unique local one: they
# exist only inside these namespaces.

NODE_ADDRESS=198.18.0.1
NODE_ADDRESS6=fd18::1
camera_address() { echo "198.18.0.$((10 + $1))"; }
camera_address6() { echo "fd18::$((10 + $1))"; }

topology_up() {
  TOPOLOGY_PREFIX=$1
  local ncams=$2 node="$1-node" cams="$1-cams" i
  ip netns add "$node" && ip netns add "$cams" || return 1
  ip link add "$1-n" type veth peer name "$1-c" || return 1
  ip link set "$1-n" netns "$node"
  ip link set "$1-c" netns "$cams"
  ip -n "$node" link set lo up
  ip -n "$cams" link set lo up
  ip -n "$node" addr add "$NODE_ADDRESS/24" dev "$1-n"
  ip -n "$node" addr add "$NODE_ADDRESS6/64" dev "$1-n" nodad 2>/dev/null
  for ((i = 1; i <= ncams; i++)); do
    ip -n "$cams" addr add "$(camera_address "$i")/24" dev "$1-c"
    ip -n "$cams" addr add "$(camera_address6 "$i")/64" dev "$1-c" nodad 2>/dev/null
  done
  ip -n "$node" link set "$1-n" up
  ip -n "$cams" link set "$1-c" up
  # Multicast leaves by the LAN in both (IPv4 and IPv6 groups).
  ip -n "$node" route add 224.0.0.0/4 dev "$1-n" 2>/dev/null
  ip -n "$cams" route add 224.0.0.0/4 dev "$1-c" 2>/dev/null
  ip -n "$node" -6 route add ff00::/8 dev "$1-n" table local 2>/dev/null
  ip -n "$cams" -6 route add ff00::/8 dev "$1-c" table local 2>/dev/null
  return 0
}

in_node() { ip netns exec "$TOPOLOGY_PREFIX-node" "$@"; }
in_cams() { ip netns exec "$TOPOLOGY_PREFIX-cams" "$@"; }

topology_down() {
  [ -n "${TOPOLOGY_PREFIX:-}" ] || return 0
  ip netns pids "$TOPOLOGY_PREFIX-node" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns pids "$TOPOLOGY_PREFIX-cams" 2>/dev/null | xargs -r kill -9 2>/dev/null
  ip netns del "$TOPOLOGY_PREFIX-node" 2>/dev/null
  ip netns del "$TOPOLOGY_PREFIX-cams" 2>/dev/null
  TOPOLOGY_PREFIX=
}

# For a user that is not root: re-runs "$@" as root of a private user, network
# and mount namespace (where the kernel allows unprivileged user namespaces),
# with a private /run so that `ip netns` works. Returns only on failure.
topology_enter_private() {
  command -v unshare >/dev/null || return 1
  unshare --user --map-root-user --net --mount true 2>/dev/null || return 1
  exec unshare --user --map-root-user --net --mount -- \
    bash -c 'mount -t tmpfs tmpfs /run && mkdir -p /run/netns && exec "$@"' topology "$@"
}
