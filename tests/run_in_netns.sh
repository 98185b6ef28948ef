#!/bin/sh
# Runs a test program in a network namespace of its own, where broadcast and
# multicast traffic stays private to the test.
#
#   run_in_netns.sh PROGRAM [ARGUMENTS...]
#
# Inside the namespace:
#   lo                   up (127.0.0.1, ::1)
#   sl0 <-> sl1          a veth pair, both up; sl0 has 10.77.0.1/24 (broadcast
#                        10.77.0.255), fd77::1/64 and fe80::77:1/64
#   224.0.0.0/4          routed to lo, so a datagram to an IPv4 group leaves on
#                        sl0 only when the sender chooses sl0
# and the program finds these in SOCKLAB_NETNS_IF (sl0), SOCKLAB_NETNS_IPV4,
# SOCKLAB_NETNS_BROADCAST, SOCKLAB_NETNS_IPV6 and SOCKLAB_NETNS_LINK_LOCAL.
#
# Exits with 77 (CTest's "skipped") when no namespace can be made: not root,
# no unshare or ip, or a kernel without veth.
set -eu

skip() {
    echo "run_in_netns.sh: $*; skipping" >&2
    exit 77
}

if [ $# -lt 1 ]; then
    echo "usage: $0 PROGRAM [ARGUMENTS...]" >&2
    exit 2
fi

[ "$(id -u)" = "0" ] || skip "network namespaces need root"
command -v unshare >/dev/null 2>&1 || skip "no unshare"
command -v ip >/dev/null 2>&1 || skip "no ip (iproute2)"
outer=$(readlink /proc/self/ns/net) || skip "cannot tell which network namespace this is"
[ -n "$outer" ] || skip "cannot tell which network namespace this is"
unshare --net true 2>/dev/null || skip "cannot create a network namespace"

# The setup runs only as the command of unshare, so it has no way in that
# could change the machine's own network; it still checks that it is
# somewhere else before it touches anything.
# shellcheck disable=SC2016 # expanded by the inner shell, not this one
inner='
set -eu
skip() {
    echo "run_in_netns.sh: $*; skipping" >&2
    exit 77
}
outer=$1
shift
if [ "$(readlink /proc/self/ns/net)" = "$outer" ]; then
    echo "run_in_netns.sh: not in a namespace of its own; refusing to touch this network" >&2
    exit 2
fi
ip link set lo up || skip "cannot bring lo up"
ip link add sl0 type veth peer name sl1 2>/dev/null || skip "cannot create a veth pair"
# No automatic link-local addresses: they would sit in DAD for a while.
ip link set sl0 addrgenmode none 2>/dev/null || true
ip link set sl1 addrgenmode none 2>/dev/null || true
ip link set sl0 up
ip link set sl1 up
ip addr add 10.77.0.1/24 broadcast 10.77.0.255 dev sl0
ip -6 addr add fd77::1/64 dev sl0 nodad
ip -6 addr add fe80::77:1/64 dev sl0 nodad
ip route add 224.0.0.0/4 dev lo src 127.0.0.1
export SOCKLAB_NETNS_IF=sl0
export SOCKLAB_NETNS_IPV4=10.77.0.1
export SOCKLAB_NETNS_BROADCAST=10.77.0.255
export SOCKLAB_NETNS_IPV6=fd77::1
export SOCKLAB_NETNS_LINK_LOCAL=fe80::77:1
exec "$@"
'
exec unshare --net -- /bin/sh -c "$inner" run_in_netns.sh "$outer" "$@"
