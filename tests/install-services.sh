#!/usr/bin/env bash
# Install what the tests need from Debian's packages: the database servers
# the library tests run against (redis-server and redis-tools, postgresql,
# mariadb-server, memcached), the message broker rabbitmq-server, and tmux
# for the terminal tests. The tests start and stop their own server
# instances on free loopback ports; nothing here starts a service.
set -euo pipefail
need=()
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v redis-cli >/dev/null 2>&1 || need+=(redis-tools)
command -v memcached >/dev/null 2>&1 || need+=(memcached)
command -v tmux >/dev/null 2>&1 || need+=(tmux)
command -v mariadb-install-db >/dev/null 2>&1 || need+=(mariadb-server mariadb-client)
[[ -x /usr/lib/rabbitmq/bin/rabbitmq-server ]] || need+=(rabbitmq-server)
command -v initdb >/dev/null 2>&1 || compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || need+=(postgresql)
if ((${#need[@]} == 0)); then
    exit 0
fi
if [[ $(id -u) -ne 0 ]] && ! command -v sudo >/dev/null 2>&1; then
    echo "tests/install-services.sh: need root to install ${need[*]}" >&2
    exit 1
fi
sudo=$([[ $(id -u) -eq 0 ]] || echo sudo)
echo "tests/install-services.sh: installing ${need[*]}" >&2
$sudo apt-get update -qq
# policy-rc.d-less containers may try to start the services: harmless, ours
# run on their own ports and data directories.
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
