#!/usr/bin/env bash
# bench/hosts.sh start DIR N [FEEDS] | stop DIR — a farm of N hosts: N farms of the shared
# generator (../shared/bench/gen_farm.py, seeds 1..N, FEEDS feeds of 20 items each, 67 by
# default: 3 hosts make about the F=200 farm), farm i served on its own loopback address
# 127.0.0.i:18090 by one nginx rendered from the shared template. Writes DIR/feeds.txt (all
# hosts' feeds) and DIR/tindex.toml (bench/tindex-bench.toml with every host allowed and
# under the site rule), for bench/workers.sh (FEEDS=DIR/feeds.txt CFG=DIR/tindex.toml).
# Workers on a shared store partition work by host: this is the farm that shows it.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
shared=$here/../../shared/bench
cmd=${1:?start|stop}
dir=${2:?directory}
port=18090
prefix=$dir/nginx
case "$cmd" in
start)
    n=${3:?number of hosts}
    feeds=${4:-67}
    mkdir -p "$dir" "$prefix/tmp"
    : > "$dir/feeds.txt"
    servers=""
    hosts=""
    for i in $(seq 1 "$n"); do
        if [ ! -f "$dir/h$i/feeds.txt" ]; then
            python3 "$shared/gen_farm.py" --out "$dir/h$i" --feeds "$feeds" --items 20 \
                --seed "$i" --base-url "http://127.0.0.$i:$port/" >/dev/null
        fi
        cat "$dir/h$i/feeds.txt" >> "$dir/feeds.txt"
        servers="$servers server { listen 127.0.0.$i:$port; root $(cd "$dir/h$i/www" && pwd); location / { try_files \$uri =404; } }"
        hosts="$hosts\"127.0.0.$i\", "
    done
    user=""; [ "$(id -u)" = 0 ] && user="user root;"
    # The shared template, its one server block replaced by one per host.
    python3 - "$shared/nginx.conf" "$prefix" "$user" "$servers" > "$prefix/nginx.conf" <<'PY'
import re, sys
template, prefix, user, servers = sys.argv[1:]
text = open(template).read()
text = text.replace("@PREFIX@", prefix).replace("@USER@", user).replace("@WORKERS@", "1")
text = re.sub(r"\n    server \{.*?\n    \}\n", "\n    " + servers + "\n", text, flags=re.S)
print(text)
PY
    nginx -q -t -e "$prefix/error.log" -p "$prefix/" -c "$prefix/nginx.conf"
    nginx -e "$prefix/error.log" -p "$prefix/" -c "$prefix/nginx.conf" -g 'daemon off;' \
        </dev/null >>"$prefix/stdout.log" 2>&1 &
    echo $! > "$prefix/nginx.pid.run"
    sed -e "s/allow_addresses = \[\"127.0.0.1\"\]/allow_addresses = [${hosts%, }]/" \
        -e "s/hosts = \[\"127.0.0.1\"\]/hosts = [${hosts%, }]/" \
        "$here/tindex-bench.toml" > "$dir/tindex.toml"
    for i in $(seq 1 "$n"); do
        for _ in $(seq 50); do
            code=$(curl -s -m 1 -o /dev/null -w '%{http_code}' "http://127.0.0.$i:$port/" || true)
            [ "$code" != "000" ] && break
            sleep 0.1
        done
    done
    echo "nginx serving $n hosts on 127.0.0.1-$n:$port: $(wc -l < "$dir/feeds.txt") feeds"
    ;;
stop)
    [ -s "$prefix/nginx.pid.run" ] && kill -QUIT "$(cat "$prefix/nginx.pid.run")" 2>/dev/null || true
    rm -f "$prefix/nginx.pid.run"
    ;;
*)
    echo "usage: $0 start DIR N [FEEDS] | stop DIR" >&2
    exit 2
    ;;
esac
