#!/usr/bin/env bash
# TFTP download and upload speed: socklab-cli against tftp-hpa's tftp, atftp
# and curl, fetching (get) and sending (put) the same file with the same
# servers (in.tftpd, atftpd) on loopback ports of their own. Client and server are pinned to one CPU
# (taskset -c 0): unpinned runs at 512 bytes swing 8-10x with where the
# scheduler puts the two processes. Each cell is the median of --runs runs
# in MiB/s, wall clock including process start; every download is checked
# by SHA-256 ("BAD" if it differs; an upload is checked in the server's
# folder). The last column is socklab-cli's speed over the best other
# client's. --results FILE also writes the rows as tab-separated lines
# (op, server, blksize, window, socklab, best other client, its speed) for
# bench/run. Rows with 512-byte blocks fetch a --size
# file; larger blocks a --big-size one, so that process start (a Qt program
# takes 10-15 ms more than a plain C one) does not swamp 60 ms transfers.
#
#   bench/tftp-bench.sh [--size MIB] [--big-size MIB] [--runs N] [--cli PATH] [--cpu N]
#                       [--results FILE]
#
# Without --cli it builds an optimised socklab-cli in build/bench. atftpd and
# atftp are unpacked there (tests/fetch-atftpd.sh) unless installed.
set -euo pipefail
cd "$(dirname "$0")/.."

size_mib=64
big_size_mib=256
runs=3
cli=""
cpu=0
results_file=""
per_run_limit=60 # seconds; a stalled client is cut off and shown as "stall"
while [[ $# -gt 0 ]]; do
    case "$1" in
    --size) size_mib=$2; shift 2 ;;
    --big-size) big_size_mib=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --cli) cli=$2; shift 2 ;;
    --cpu) cpu=$2; shift 2 ;;
    --results) results_file=$2; shift 2 ;;
    -h | --help) sed -n '2,22p' "$0"; exit 0 ;;
    *) echo "tftp-bench: unknown argument $1" >&2; exit 2 ;;
    esac
done

for tool in taskset python3 sha256sum curl tftp; do
    command -v "$tool" >/dev/null || { echo "tftp-bench: $tool not found (scripts/setup-deps test)" >&2; exit 1; }
done
in_tftpd=$(PATH=/usr/sbin:/sbin:$PATH command -v in.tftpd) || { echo "tftp-bench: in.tftpd not found" >&2; exit 1; }

if [[ -z "$cli" ]]; then
    echo "building socklab-cli (Release) in build/bench ..." >&2
    cmake -S . -B build/bench -G Ninja -DCMAKE_BUILD_TYPE=Release -DSOCKLAB_BUILD_TESTS=OFF >/dev/null
    cmake --build build/bench --target socklab-cli >/dev/null
    cli=build/bench/app/socklab-cli
fi
cli=$(realpath "$cli")
atftpd=$(sh tests/fetch-atftpd.sh "$PWD/build/bench/tftp-peers" atftpd usr/sbin/atftpd)
atftp=$(sh tests/fetch-atftpd.sh "$PWD/build/bench/tftp-peers" atftp usr/bin/atftp)

work=$(mktemp -d /tmp/tftp-bench.XXXXXX)
pids=()
cleanup() {
    for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
    wait 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/srv"
head -c $((size_mib * 1024 * 1024)) /dev/urandom >"$work/srv/small.bin"
head -c $((big_size_mib * 1024 * 1024)) /dev/urandom >"$work/srv/big.bin"
chmod -R a+rwX "$work/srv"
declare -A expected_sha=(
    [small.bin]=$(sha256sum <"$work/srv/small.bin" | cut -d' ' -f1)
    [big.bin]=$(sha256sum <"$work/srv/big.bin" | cut -d' ' -f1)
)
declare -A file_mib=([small.bin]=$size_mib [big.bin]=$big_size_mib)

free_port() {
    python3 -c 'import socket; s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}
wait_bound() { # port pid
    for _ in $(seq 500); do
        grep -qi ":$(printf '%04X' "$1") " /proc/net/udp && return 0
        kill -0 "$2" 2>/dev/null || return 1
        sleep 0.01
    done
    return 1
}
# Sets server_port; the server's PID joins pids (so no $(...) subshell here).
start_server() { # name command... (PORT in the command is replaced)
    local name=$1 port pid
    shift
    for _ in 1 2 3 4 5; do
        port=$(free_port)
        taskset -c "$cpu" "${@//PORT/$port}" >"$work/$name.log" 2>&1 &
        pid=$!
        if wait_bound "$port" "$pid"; then
            pids+=("$pid")
            server_port=$port
            return 0
        fi
        kill "$pid" 2>/dev/null || true
    done
    echo "tftp-bench: $name did not start: $(tail -n 3 "$work/$name.log")" >&2
    exit 1
}

start_server in.tftpd "$in_tftpd" -L -s -c -a 127.0.0.1:PORT -u root -B 65464 "$work/srv"
hpa_port=$server_port
start_server atftpd "$atftpd" --daemon --no-fork --port PORT --bind-address 127.0.0.1 \
    --user root --group root --logfile /dev/null "$work/srv"
atftpd_port=$server_port

# One transfer of $file, written to $check (the download, or the upload in
# the server's folder): prints MiB/s, "BAD" (wrong content), "fail" or "stall".
check=$work/out
measure() {
    rm -f "$check"
    local start end status=0
    start=$(date +%s%N)
    timeout "$per_run_limit" taskset -c "$cpu" "$@" >/dev/null 2>"$work/err" || status=$?
    end=$(date +%s%N)
    if [[ $status -eq 124 ]]; then echo stall; return; fi
    if [[ $status -ne 0 ]]; then echo fail; return; fi
    # A server may close an uploaded file a moment after the client is done.
    local tries=0
    until [[ -f "$check" && "$(sha256sum <"$check" | cut -d' ' -f1)" == "${expected_sha[$file]}" ]]; do
        if ((++tries > 40)); then echo BAD; return; fi
        sleep 0.05
    done
    awk -v mib="${file_mib[$file]}" -v ns=$((end - start)) 'BEGIN { printf "%.1f", mib / (ns / 1e9) }'
}

# The median of a list of results; any failure wins over a number.
median_of() {
    local r
    for r in "$@"; do
        if [[ ! $r =~ ^[0-9.]+$ ]]; then echo "$r"; return; fi
    done
    printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

printf '%-4s %-9s %7s %6s | %8s %8s %8s %8s | %s\n' op server blksize window socklab tftp-hpa atftp curl "socklab/best other"
printf '%s\n' "---------------------------------------------------------------------------------------"
slower=0
row() { # op server port blksize window
    local op=$1 server=$2 port=$3 blksize=$4 window=$5
    local ours=() hpa="-" atftp_r="-" curl_r="-" ours_r
    file=small.bin
    [[ $blksize -le 512 ]] || file=big.bin
    local atftp_opts=() curl_opts=()
    if [[ $blksize -ne 512 ]]; then
        ours+=(--blksize "$blksize")
        atftp_opts+=(--option "blksize $blksize")
        curl_opts+=(--tftp-blksize "$blksize")
    else
        curl_opts+=(--tftp-no-options)
    fi
    if [[ $window -gt 1 ]]; then
        ours+=(--windowsize "$window")
        atftp_opts+=(--option "windowsize $window")
    fi
    # get: the server's file into $work/out; put: $work/srv/$file to a new
    # name in the server's folder.
    local src=$work/srv/$file
    if [[ $op == get ]]; then
        check=$work/out
    else
        check=$work/srv/up.bin
    fi
    # Run by run, every client once: a burst of load from elsewhere then
    # hits all clients alike instead of one client's series.
    local results_ours=() results_hpa=() results_atftp=() results_curl=() stalled_atftp=""
    for _ in $(seq "$runs"); do
        if [[ $op == get ]]; then
            results_ours+=("$(measure "$cli" tftp get "127.0.0.1:$port" "$file" -o "$check" --overwrite "${ours[@]}")")
        else
            results_ours+=("$(measure "$cli" tftp put "127.0.0.1:$port" "$src" up.bin "${ours[@]}")")
        fi
        # tftp-hpa's client speaks no options; curl no windowsize.
        if [[ $blksize -eq 512 && $window -le 1 ]]; then
            results_hpa+=("$(measure tftp -m octet 127.0.0.1 "$port" -c "$op" \
                "$([[ $op == get ]] && echo "$file" || echo "$src")" \
                "$([[ $op == get ]] && echo "$check" || echo up.bin)")")
        fi
        # A client that stalled once is not made to stall again.
        if [[ -z $stalled_atftp ]]; then
            if [[ $op == get ]]; then
                results_atftp+=("$(measure "$atftp" "${atftp_opts[@]}" -g -r "$file" -l "$check" 127.0.0.1 "$port")")
            else
                results_atftp+=("$(measure "$atftp" "${atftp_opts[@]}" -p -l "$src" -r up.bin 127.0.0.1 "$port")")
            fi
            [[ ${results_atftp[-1]} =~ ^[0-9.]+$ ]] || stalled_atftp=1
        fi
        if [[ $window -le 1 ]]; then
            if [[ $op == get ]]; then
                results_curl+=("$(measure curl -sS -o "$check" "${curl_opts[@]}" "tftp://127.0.0.1:$port/$file")")
            else
                results_curl+=("$(measure curl -sS -T "$src" "${curl_opts[@]}" "tftp://127.0.0.1:$port/up.bin")")
            fi
        fi
    done
    ours_r=$(median_of "${results_ours[@]}")
    [[ ${#results_hpa[@]} -eq 0 ]] || hpa=$(median_of "${results_hpa[@]}")
    atftp_r=$(median_of "${results_atftp[@]}")
    [[ ${#results_curl[@]} -eq 0 ]] || curl_r=$(median_of "${results_curl[@]}")
    local best best_name ratio
    best=$(printf '%s\n' "$hpa" "$atftp_r" "$curl_r" | grep -E '^[0-9.]+$' | sort -g | tail -n 1 || true)
    # The best other client, or when none finished, what became of atftp.
    best_name="atftp: $atftp_r"
    [[ -z $best ]] || best_name=$(printf '%s %s\n' tftp-hpa "$hpa" atftp "$atftp_r" curl "$curl_r" | awk -v b="$best" '$2 == b { print $1; exit }')
    ratio="-"
    if [[ -n "$best" && $ours_r =~ ^[0-9.]+$ ]]; then
        ratio=$(awk -v a="$ours_r" -v b="$best" 'BEGIN { printf "%.2f", a / b }')
        awk -v r="$ratio" 'BEGIN { exit !(r < 1) }' && slower=1
    fi
    printf '%-4s %-9s %7s %6s | %8s %8s %8s %8s | %s\n' "$op" "$server" "$blksize" "$window" "$ours_r" "$hpa" "$atftp_r" "$curl_r" "$ratio"
    if [[ -n $results_file ]]; then
        printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$op" "$server" "$blksize" "$window" "$ours_r" "$best_name" "${best:--}" >>"$results_file"
    fi
}

[[ -z $results_file ]] || : >"$results_file"
row get in.tftpd "$hpa_port" 512 1
row get in.tftpd "$hpa_port" 65464 1
row get atftpd "$atftpd_port" 512 1
row get atftpd "$atftpd_port" 65464 1
row get atftpd "$atftpd_port" 512 16
row get atftpd "$atftpd_port" 8192 16
row get atftpd "$atftpd_port" 65464 4
row put in.tftpd "$hpa_port" 512 1
row put in.tftpd "$hpa_port" 65464 1
row put atftpd "$atftpd_port" 512 1
row put atftpd "$atftpd_port" 65464 1
row put atftpd "$atftpd_port" 512 16
echo
echo "MiB/s, median of $runs runs; $size_mib MiB file at 512-byte blocks, $big_size_mib MiB above;"
echo "client and server on CPU $cpu; '-': the client cannot ask for that."
[[ $slower -eq 0 ]] || echo "socklab-cli is slower than another client in at least one row."
