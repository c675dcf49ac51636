#!/usr/bin/env bash
# Builds the packages, installs them on this machine, and checks what a park's admin relies on:
#   - systemd-analyze verify passes on both units;
#   - each service starts from its packaged config, as its unit runs it (the unit's user, environment file and
#     command line, with a notify socket standing in for systemd's): READY, then watchdog pings, /healthz answers,
#     STOPPING and exit 0 on SIGTERM;
#   - under a real systemd (this machine's, else one booted as PID 1 of a new pid and mount namespace where root
#     may): the units themselves start and report READY with all their hardening, a killed service is restarted,
#     one that stops answering is killed by the watchdog and restarted, postinst restarts a reinstalled service;
#   - the first start of a site: gatewatch-console init, an enrolment code, gatewatch-agent enrol against the
#     running console, agent.json keeps its owner and mode;
#   - a data folder the service user cannot write, and a port in use, end the start with one clear error;
#   - removing (and purging) the packages keeps the data and the user.
# Usage: scripts/package-check.sh [--debs DIR]  (DIR: packages already built by scripts/package.sh --out DIR)
# It installs and then removes gatewatch-agent and gatewatch-console, so it refuses to run where they are installed.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DEBS=""
[ "${1:-}" != "--debs" ] || DEBS="${2:?--debs needs a folder}"
SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
for p in gatewatch-agent gatewatch-console; do
  if dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed"; then
    echo "package-check: $p is installed on this machine; the check would remove it: refusing" >&2
    exit 1
  fi
done
fresh_user=""; getent passwd gatewatch >/dev/null || fresh_user=1
fresh_data=""; [ -e /var/lib/gatewatch ] || fresh_data=1
fresh_etc=""; [ -e /etc/gatewatch ] || fresh_etc=1

if ! command -v systemd-analyze >/dev/null || ! command -v fakeroot >/dev/null || ! command -v curl >/dev/null; then
  echo "package-check: installing systemd (for systemd-analyze), fakeroot and curl"
  $SUDO apt-get -o DPkg::Lock::Timeout=600 update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends systemd fakeroot curl >/dev/null
fi

# Not under /tmp: a systemd booted below mounts its own /tmp, and it must see the packages.
tmp="$(mktemp -d /var/tmp/gatewatch-package-check.XXXXXX)"
pids=()
sd_pid=""
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # Killing a pid namespace's PID 1 ends everything in it.
  [ -z "$sd_pid" ] || $SUDO kill -9 "$sd_pid" 2>/dev/null || true
  $SUDO dpkg -P gatewatch-agent gatewatch-console >/dev/null 2>&1 || true
  [ -z "$fresh_data" ] || $SUDO rm -rf /var/lib/gatewatch
  [ -z "$fresh_etc" ] || $SUDO rm -rf /etc/gatewatch
  [ -z "$fresh_user" ] || { $SUDO userdel gatewatch 2>/dev/null || true; $SUDO groupdel gatewatch 2>/dev/null || true; }
  rm -rf "$tmp"
}
trap cleanup EXIT
fail() { echo "package-check: FAILED: $*" >&2; exit 1; }
step() { echo "package-check: $*"; }

if [ -z "$DEBS" ]; then
  DEBS="$tmp/debs"
  "$ROOT/scripts/package.sh" --out "$DEBS"
fi
agent_deb="$(ls "$DEBS"/gatewatch-agent_*_amd64.deb | tail -1)"
console_deb="$(ls "$DEBS"/gatewatch-console_*_amd64.deb | tail -1)"

step "installing $(basename "$agent_deb") and $(basename "$console_deb")"
# apt resolves the Depends from Debian (ffmpeg, GTK, OpenSSL), as on a park's box.
DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq "$agent_deb" "$console_deb" >/dev/null \
  || fail "the packages did not install"
getent passwd gatewatch >/dev/null || fail "no gatewatch user after install"
under_systemd=""; [ -d /run/systemd/system ] && under_systemd=1
# On a machine run by systemd, postinst has started the services; the stand-in checks below need their ports.
[ -z "$under_systemd" ] || $SUDO systemctl stop gatewatch-agent gatewatch-console
[ "$(stat -c '%U:%G %a' /etc/gatewatch/agent.key)" = "root:gatewatch 640" ] || fail "agent.key is $(stat -c '%U:%G %a' /etc/gatewatch/agent.key)"

step "the packaged agent's native parts (ONNX Runtime, OpenCV) and models: detect on a photo of a person"
if [ -f /usr/share/darknet/data/person.jpg ]; then
  gatewatch-agent detect --input /usr/share/darknet/data/person.jpg --out "$tmp/detections.jsonl" > "$tmp/detect.txt" 2>&1 \
    || { cat "$tmp/detect.txt"; fail "the packaged agent could not detect"; }
  grep -q '"person"' "$tmp/detections.jsonl" || { cat "$tmp/detections.jsonl"; fail "the packaged agent found no person in person.jpg"; }
else
  step "  skipped: /usr/share/darknet/data/person.jpg is missing (scripts/setup.sh installs it)"
fi

step "systemd-analyze verify"
# --man=no: the units' Documentation= is a file, not a man page this machine may lack.
SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no \
  /usr/lib/systemd/system/gatewatch-agent.service /usr/lib/systemd/system/gatewatch-console.service \
  2>&1 | tee "$tmp/verify.txt"
if grep -v -e "Failed to connect to bus" -e "^$" "$tmp/verify.txt" | grep -q .; then
  fail "systemd-analyze verify complained (above)"
fi

# A stand-in for systemd's notify socket: prints each datagram as one line (newlines inside shown as '|').
notify_listener() { # socket log
  /usr/bin/python3 -u - "$1" > "$2" 2>&1 <<'PY' &
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
os.chmod(sys.argv[1], 0o666)
while True:
    print(s.recv(4096).decode().replace("\n", "|"), flush=True)
PY
  pids+=($!)
}

# The unit's command line as systemd would run it: its ExecStart, with EnvironmentFile= and Environment= applied.
unit_command() { # unit -> prints the command, one word per line
  local unit="/usr/lib/systemd/system/$1.service"
  (
    set -a
    env_file="$(sed -n 's/^EnvironmentFile=-\?//p' "$unit")"
    [ -z "$env_file" ] || . "$env_file"
    set +a
    exec_start="$(sed -n 's/^ExecStart=//p' "$unit")"
    eval "words=($exec_start)"
    printf '%s\n' "${words[@]}"
  )
}
unit_env() { sed -n 's/^Environment=//p' "/usr/lib/systemd/system/$1.service" | tr ' ' '\n'; }

wait_for() { # file pattern seconds
  local waited=0
  until grep -q -- "$2" "$1" 2>/dev/null; do
    [ "$waited" -lt $(($3 * 10)) ] || return 1
    sleep 0.1; waited=$((waited + 1))
  done
}

# Sets started_pid (not printed: a process started in $(...) would not be this shell's child to wait for).
start_service() { # unit (its output in $tmp/unit.log, notifications in $tmp/unit.notify)
  local unit="$1"
  rm -f "$tmp/$unit.sock"
  notify_listener "$tmp/$unit.sock" "$tmp/$unit.notify"
  sleep 0.3
  mapfile -t cmd < <(unit_command "$unit")
  mapfile -t envs < <(unit_env "$unit")
  # WATCHDOG_USEC 2 s: pings every second, so the check sees several in a short run. setpriv execs the service
  # itself (no parent left in between), as systemd's main process would be.
  $SUDO env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${envs[@]}" NOTIFY_SOCKET="$tmp/$unit.sock" WATCHDOG_USEC=2000000 \
    setpriv --reuid=gatewatch --regid=gatewatch --init-groups -- "${cmd[@]}" > "$tmp/$unit.log" 2>&1 &
  started_pid=$!
  pids+=("$started_pid")
}

stop_service() { # unit pid
  $SUDO kill -TERM "$2"
  local rc=0
  wait "$2" || rc=$?
  [ "$rc" -eq 0 ] || { cat "$tmp/$1.log"; fail "$1 exited $rc on SIGTERM"; }
  wait_for "$tmp/$1.notify" "STOPPING=1" 5 || fail "$1 sent no STOPPING=1"
}

check_running() { # unit url
  wait_for "$tmp/$1.notify" "READY=1" 90 || { cat "$tmp/$1.log"; fail "$1 sent no READY=1"; }
  curl -fsS "$2/healthz" >/dev/null || { cat "$tmp/$1.log"; fail "$1 does not answer $2/healthz"; }
  wait_for "$tmp/$1.notify" "WATCHDOG=1" 10 || fail "$1 sent no WATCHDOG=1"
  step "$1: READY, /healthz ok, watchdog pings ($(grep -c WATCHDOG=1 "$tmp/$1.notify") so far)"
}

chmod 0755 "$tmp"

step "first start of a site: gatewatch-console init"
$SUDO gatewatch-console init > "$tmp/init.txt" 2>&1 || { cat "$tmp/init.txt"; fail "init failed"; }
grep -q "one-time password" "$tmp/init.txt" || { cat "$tmp/init.txt"; fail "init printed no one-time password"; }
[ "$(stat -c %U /var/lib/gatewatch/console/console.db)" = gatewatch ] || fail "console.db is owned by $(stat -c %U /var/lib/gatewatch/console/console.db), not the service user"
if $SUDO gatewatch-console init > "$tmp/init2.txt" 2>&1; then fail "a second init was not refused"; fi

start_service gatewatch-console
console_pid=$started_pid
check_running gatewatch-console http://127.0.0.1:8700

step "port in use: a second console on the same address"
second_rc=0
$SUDO env HOME=/var/lib/gatewatch/console setpriv --reuid=gatewatch --regid=gatewatch --init-groups -- \
  /usr/lib/gatewatch-console/GateConsole serve --data /var/lib/gatewatch/console --listen http://127.0.0.1:8700 > "$tmp/second.txt" 2>&1 || second_rc=$?
[ "$second_rc" -eq 1 ] && grep -q "error: --listen: Failed to bind" "$tmp/second.txt" \
  || { cat "$tmp/second.txt"; fail "a port in use gave exit $second_rc, not one clear error"; }
step "  $(grep -m1 error: "$tmp/second.txt" | cut -c1-160)"

step "enrolment: a code from the console, gatewatch-agent enrol against the running console"
$SUDO gatewatch-console enrolment-code --id gate-1 --name "Gate 1" > "$tmp/code.txt" 2>&1 || { cat "$tmp/code.txt"; fail "enrolment-code failed"; }
code="$(grep -oE '[0-9A-Z]{5}(-[0-9A-Z]{5}){3}' "$tmp/code.txt" | head -1)"
[ -n "$code" ] || { cat "$tmp/code.txt"; fail "no code printed"; }
$SUDO gatewatch-agent enrol --config /etc/gatewatch/agent.json --console http://127.0.0.1:8700 --code "$code" > "$tmp/enrol.txt" 2>&1 \
  || { cat "$tmp/enrol.txt"; fail "enrol failed"; }
grep -q '"console"' /etc/gatewatch/agent.json || fail "agent.json has no console link after enrolment"
[ "$(stat -c '%U:%G %a' /etc/gatewatch/agent.json)" = "root:gatewatch 640" ] || fail "enrol left agent.json $(stat -c '%U:%G %a' /etc/gatewatch/agent.json)"
if $SUDO gatewatch-agent enrol --config /etc/gatewatch/agent.json --console http://127.0.0.1:8700 --code "$code" > "$tmp/enrol2.txt" 2>&1; then
  fail "enrolling twice was not refused"
fi

step "backup while the console runs, restore into a new folder"
$SUDO gatewatch-console backup --out "$tmp/console-backup.zip" > "$tmp/backup.txt" 2>&1 || { cat "$tmp/backup.txt"; fail "backup failed"; }
$SUDO gatewatch-console restore --from "$tmp/console-backup.zip" --data /var/lib/gatewatch/console-restored > "$tmp/restore.txt" 2>&1 \
  || { cat "$tmp/restore.txt"; fail "restore failed"; }
[ "$(stat -c %U /var/lib/gatewatch/console-restored/console.db)" = gatewatch ] || fail "the restored database is not the service user's"
step "  $(cat "$tmp/backup.txt" | cut -c1-160)"
$SUDO rm -rf /var/lib/gatewatch/console-restored

start_service gatewatch-agent
agent_pid=$started_pid
check_running gatewatch-agent http://127.0.0.1:8710
second_rc=0
$SUDO env HOME=/var/lib/gatewatch/agent setpriv --reuid=gatewatch --regid=gatewatch --init-groups -- \
  /usr/lib/gatewatch-agent/GateAgent run --config /etc/gatewatch/agent.json > "$tmp/second.txt" 2>&1 || second_rc=$?
[ "$second_rc" -eq 1 ] && grep -q "\$.listen: Failed to bind" "$tmp/second.txt" \
  || { cat "$tmp/second.txt"; fail "a second agent on a port in use gave exit $second_rc, not one clear error"; }
step "  a second agent: $(grep -m1 error: "$tmp/second.txt" | cut -c1-160)"
stop_service gatewatch-agent "$agent_pid"
stop_service gatewatch-console "$console_pid"

# A real systemd. Booted here its boot empties /tmp and /run, so those are private to its namespace; the network is
# shared, so the services answer on this machine's loopback.
boot_systemd() {
  command -v unshare >/dev/null && command -v nsenter >/dev/null && [ -x /lib/systemd/systemd ] && [ "$(id -u)" -eq 0 ] || return 1
  setsid unshare --pid --fork --mount --mount-proc --propagation private \
    sh -c 'mount -t tmpfs tmpfs /tmp && mount -t tmpfs tmpfs /run && exec /lib/systemd/systemd --system --unit=sysinit.target' \
    < /dev/null > "$tmp/systemd-boot.txt" 2>&1 &
  local parent=$! waited=0
  pids+=("$parent")
  until [ -n "$sd_pid" ] && nsenter -t "$sd_pid" -p -m systemctl is-system-running 2>/dev/null | grep -qE "running|degraded"; do
    [ "$waited" -lt 300 ] && kill -0 "$parent" 2>/dev/null || return 1
    sd_pid="$(pgrep -P "$parent" | head -1)"
    sleep 0.1; waited=$((waited + 1))
  done
}
sd() { if [ -n "$under_systemd" ]; then $SUDO "$@"; else nsenter -t "$sd_pid" -p -m "$@"; fi; }
unit_state() { sd systemctl show "$1" -p ActiveState -p NRestarts -p StatusText -p MainPID -p Result | sort | tr '\n' ' '; }
wait_state() { # unit pattern seconds
  local waited=0
  until unit_state "$1" | grep -qE "$2"; do
    [ "$waited" -lt $(($3 * 5)) ] || { sd journalctl -u "$1" --no-pager | tail -20; fail "$1 is not '$2' after $3 s: $(unit_state "$1")"; }
    sleep 0.2; waited=$((waited + 1))
  done
}

if [ -n "$under_systemd" ] || boot_systemd; then
  step "under systemd ($([ -n "$under_systemd" ] && echo "this machine's" || echo "booted in a namespace: $(sd systemctl --version | head -1)")): the units themselves"
  sd systemctl start gatewatch-console gatewatch-agent
  wait_state gatewatch-console "ActiveState=active.*StatusText=serving" 60
  wait_state gatewatch-agent "ActiveState=active.*StatusText=serving" 90
  curl -fsS http://127.0.0.1:8700/healthz >/dev/null || fail "the console unit does not answer /healthz"
  curl -fsS http://127.0.0.1:8710/healthz >/dev/null || fail "the agent unit does not answer /healthz"
  step "  both active and READY (StatusText=serving), /healthz ok"
  sd sh -c 'kill -9 "$(systemctl show -p MainPID --value gatewatch-agent)"'
  wait_state gatewatch-agent "ActiveState=active.*NRestarts=1.*StatusText=serving" 30
  step "  the agent killed with SIGKILL: restarted (NRestarts=1)"
  # A wedged host: stopped, it sends no pings. A drop-in shortens the wait for the watchdog; /run is the namespace's
  # own (or, under this machine's systemd, gone at the next boot and removed below).
  sd sh -c 'mkdir -p /run/systemd/system/gatewatch-console.service.d && printf "[Service]\nWatchdogSec=4\n" > /run/systemd/system/gatewatch-console.service.d/check.conf && systemctl daemon-reload && systemctl restart gatewatch-console'
  wait_state gatewatch-console "ActiveState=active.*StatusText=serving" 60
  sd sh -c 'kill -STOP "$(systemctl show -p MainPID --value gatewatch-console)"'
  wait_state gatewatch-console "Result=watchdog" 30
  wait_state gatewatch-console "ActiveState=active.*NRestarts=1.*StatusText=serving" 60
  step "  the console stopped answering (SIGSTOP): killed by the watchdog and restarted"
  sd sh -c 'rm -rf /run/systemd/system/gatewatch-console.service.d && systemctl daemon-reload'

  step "reinstalling the agent under systemd: postinst restarts it; its key, enrolled config and data (outbox, segment index) are kept"
  agent_main="$(sd systemctl show -p MainPID --value gatewatch-agent)"
  reinstall() { sd env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --reinstall "$agent_deb" >/dev/null; }
else
  step "no systemd could be run here ($(tail -1 "$tmp/systemd-boot.txt" 2>/dev/null)): the stand-in above is the check"
  step "reinstalling the agent keeps its key, its enrolled config and its data (outbox, segment index)"
  agent_main=""
  reinstall() { DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq --reinstall "$agent_deb" >/dev/null; }
fi
ls /var/lib/gatewatch/agent/*.db > "$tmp/agent-data-before.txt" 2>/dev/null || fail "the agent made no database in its data folder"
key_before="$(sha256sum < /etc/gatewatch/agent.key)"
config_before="$(sha256sum < /etc/gatewatch/agent.json)"
reinstall || fail "reinstall failed"
[ "$(sha256sum < /etc/gatewatch/agent.key)" = "$key_before" ] || fail "reinstalling changed agent.key"
[ "$(sha256sum < /etc/gatewatch/agent.json)" = "$config_before" ] || fail "reinstalling changed agent.json"
ls /var/lib/gatewatch/agent/*.db | cmp -s - "$tmp/agent-data-before.txt" || fail "reinstalling lost agent data: $(ls /var/lib/gatewatch/agent)"
if [ -n "$agent_main" ]; then
  wait_state gatewatch-agent "ActiveState=active.*StatusText=serving" 90
  [ "$(sd systemctl show -p MainPID --value gatewatch-agent)" != "$agent_main" ] || fail "postinst did not restart the agent"
  sd systemctl stop gatewatch-console gatewatch-agent
  unit_state gatewatch-console | grep -q "Result=success" || fail "the console did not stop cleanly: $(unit_state gatewatch-console)"
  unit_state gatewatch-agent | grep -q "Result=success" || fail "the agent did not stop cleanly: $(unit_state gatewatch-agent)"
  step "  restarted by postinst; both stopped cleanly (Result=success)"
  if [ -z "$under_systemd" ]; then
    $SUDO kill -9 "$sd_pid"
    sd_pid=""
  fi
fi

step "a data folder the service user cannot write"
$SUDO chown root:root /var/lib/gatewatch/console
$SUDO chmod 0755 /var/lib/gatewatch/console
start_service gatewatch-console
bad_pid=$started_pid
bad_rc=0
wait "$bad_pid" || bad_rc=$?
[ "$bad_rc" -eq 1 ] && grep -q "is not writable by user 'gatewatch'" "$tmp/gatewatch-console.log" \
  || { cat "$tmp/gatewatch-console.log"; fail "an unwritable data folder gave exit $bad_rc, not one clear error"; }
step "  $(grep -m1 error: "$tmp/gatewatch-console.log" | cut -c1-160)"
$SUDO chown gatewatch:gatewatch /var/lib/gatewatch/console
$SUDO chmod 0750 /var/lib/gatewatch/console

step "removing and purging the packages keeps the data and the user"
$SUDO dpkg -r gatewatch-agent gatewatch-console >/dev/null
[ -f /var/lib/gatewatch/console/console.db ] || fail "removing gatewatch-console deleted its database"
$SUDO dpkg -P gatewatch-agent gatewatch-console >/dev/null
[ -f /var/lib/gatewatch/console/console.db ] || fail "purging gatewatch-console deleted its database"
[ -d /var/lib/gatewatch/agent ] || fail "purging gatewatch-agent deleted its data folder"
getent passwd gatewatch >/dev/null || fail "purging deleted the gatewatch user"
echo "package-check: ok ($(basename "$agent_deb") $(du -h "$agent_deb" | cut -f1), $(basename "$console_deb") $(du -h "$console_deb" | cut -f1))"
