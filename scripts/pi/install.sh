#!/usr/bin/env bash
# Installs a Meow mesh node on Raspberry Pi OS (Bookworm or Bullseye) with a Waveshare
# SX1262/SX1268 LoRa HAT (Ebyte E22 UART module). See docs/HARDWARE.md.
#
#   sudo scripts/pi/install.sh [--disable-bt] [--skip-node] [--app-dir /opt/meow]
#   scripts/pi/install.sh --root DIR ...   # edit a Pi image or a test tree under DIR; system
#                                          # commands (apt, useradd, systemctl, npm) are printed only
#   scripts/pi/install.sh --dry-run ...    # print what would change, change nothing
#
# What it does, idempotently:
#  1. config.txt: enable_uart=1 (primary UART on GPIO14/15 = /dev/serial0), dtparam=uart0=on on a Pi 5,
#     gpio=22,27=op,dl (M0/M1 low from boot: the module starts in normal mode even before meow-node
#     runs, and stays usable where sysfs GPIO is missing), optionally dtoverlay=disable-bt.
#  2. cmdline.txt: removes console=serial0/ttyAMA0/ttyS0 so the kernel does not talk over the HAT,
#     and disables the serial getty.
#  3. Node.js: needs 20.19+ or 22+. Installs the distribution's nodejs when its candidate is recent
#     enough; otherwise prints how to add a supported Node (no binaries are downloaded by this script).
#  4. A system user "meow" in dialout and gpio, the app in /opt/meow (npm ci --omit=dev), a config
#     template /etc/meow/node.json with a lora link, and the systemd unit meow-node.service.
set -euo pipefail

ROOT=""
DRY_RUN=0
DISABLE_BT=0
SKIP_NODE=0
APP_DIR=/opt/meow
SCRIPT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
SOURCE_DIR="$(cd "$SCRIPT_DIR/../.." && pwd)"
MARK_BEGIN="# >>> meow-mesh LoRa HAT (scripts/pi/install.sh) >>>"
MARK_END="# <<< meow-mesh LoRa HAT <<<"
MIN_NODE_MAJOR=20
MIN_NODE_MINOR=19

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }

while [ $# -gt 0 ]; do
  case "$1" in
    --root) ROOT="${2:?--root needs a directory}"; shift 2 ;;
    --dry-run) DRY_RUN=1; shift ;;
    --disable-bt) DISABLE_BT=1; shift ;;
    --skip-node) SKIP_NODE=1; shift ;;
    --app-dir) APP_DIR="${2:?--app-dir needs a directory}"; shift 2 ;;
    --source) SOURCE_DIR="${2:?--source needs a directory}"; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) echo "install.sh: unknown option $1" >&2; usage >&2; exit 2 ;;
  esac
done

say() { printf '[meow-install] %s\n' "$*"; }

# System commands run only on a live install; with --root or --dry-run they are printed.
system() {
  if [ -n "$ROOT" ] || [ "$DRY_RUN" = 1 ]; then
    say "would run: $*"
  else
    "$@"
  fi
}

# Writes stdin to a file under ROOT (printed only with --dry-run).
write_file() {
  local path="$ROOT$1" content
  content="$(cat)"
  if [ "$DRY_RUN" = 1 ]; then
    say "would write $1"
    return
  fi
  mkdir -p "$(dirname "$path")"
  printf '%s\n' "$content" > "$path"
}

if [ -z "$ROOT" ] && [ "$DRY_RUN" = 0 ] && [ "$(id -u)" != 0 ]; then
  echo "install.sh: run as root (sudo), or use --dry-run / --root DIR" >&2
  exit 1
fi

# Bookworm moved the boot partition to /boot/firmware; Bullseye and older use /boot.
if [ -f "$ROOT/boot/firmware/config.txt" ]; then BOOT=/boot/firmware; else BOOT=/boot; fi
CONFIG_TXT="$BOOT/config.txt"
CMDLINE_TXT="$BOOT/cmdline.txt"

MODEL="unknown"
if [ -r "$ROOT/proc/device-tree/model" ]; then MODEL="$(tr -d '\0' < "$ROOT/proc/device-tree/model")"; fi
say "board: $MODEL; boot files in $BOOT"

# 1. config.txt block (replaced whole on every run, so re-running never duplicates lines).
# [all] first: config.txt may end inside a conditional section such as [cm4].
block="$MARK_BEGIN
[all]
enable_uart=1"
case "$MODEL" in
  *"Raspberry Pi 5"*) block="$block
# Pi 5: the 40-pin header UART is UART0 (/dev/ttyAMA0); it is off unless asked for.
dtparam=uart0=on" ;;
esac
if [ "$DISABLE_BT" = 1 ]; then block="$block
# Give the PL011 UART to the header (stable baud, independent of the core clock).
dtoverlay=disable-bt"; fi
block="$block
# M0 (BCM22) and M1 (BCM27) driven low from boot: E22 normal mode.
gpio=22,27=op,dl
$MARK_END"

existing=""
if [ -f "$ROOT$CONFIG_TXT" ]; then
  existing="$(awk -v b="$MARK_BEGIN" -v e="$MARK_END" '$0==b{skip=1;next} $0==e{skip=0;next} !skip' "$ROOT$CONFIG_TXT")"
fi
printf '%s\n%s\n' "$existing" "$block" | sed '/./,$!d' | write_file "$CONFIG_TXT"
say "config.txt: enable_uart=1, gpio=22,27=op,dl$([ "$DISABLE_BT" = 1 ] && echo ', disable-bt')"

# 2. The kernel console must not use the UART the HAT is on.
if [ -f "$ROOT$CMDLINE_TXT" ]; then
  tr ' ' '\n' < "$ROOT$CMDLINE_TXT" | grep -v -E '^console=(serial0|ttyAMA0|ttyS0),' | grep -v '^$' | paste -sd ' ' - | write_file "$CMDLINE_TXT"
  say "cmdline.txt: serial console removed"
fi
system systemctl disable --now serial-getty@ttyS0.service serial-getty@ttyAMA0.service serial-getty@serial0.service || true

# 3. Node.js 20.19+ or 22+.
node_version_ok() {
  local v="${1#v}" major minor
  major="${v%%.*}"; minor="${v#*.}"; minor="${minor%%.*}"
  [[ "$major" =~ ^[0-9]+$ && "$minor" =~ ^[0-9]+$ ]] || return 1
  [ "$major" -gt "$MIN_NODE_MAJOR" ] || { [ "$major" -eq "$MIN_NODE_MAJOR" ] && [ "$minor" -ge "$MIN_NODE_MINOR" ]; }
}
if [ "$SKIP_NODE" = 0 ]; then
  current="$(node --version 2>/dev/null || true)"
  if node_version_ok "$current"; then
    say "node $current is recent enough"
  else
    candidate="$(apt-cache policy nodejs 2>/dev/null | awk '/Candidate:/ {print $2}' | sed 's/^[0-9]*://; s/[-~+].*//')"
    if node_version_ok "$candidate"; then
      system apt-get install -y nodejs npm
    else
      cat >&2 <<TEXT
install.sh: Node.js ${current:-not installed}; meow-node needs 20.19+ or 22+, and this distribution
offers ${candidate:-no nodejs package} (Debian 12 ships 18). Add a supported Node first, then re-run:
  - NodeSource's Debian packages for Node 22 (see https://github.com/nodesource/distributions,
    "Installation instructions": add their apt source and key, then apt-get install nodejs), or
  - the Node.js project's official arm64/armv7l builds from https://nodejs.org/en/download.
Re-run with --skip-node to install everything else now.
TEXT
      exit 4
    fi
  fi
fi

# 4. User, application, configuration, service.
system apt-get install -y build-essential python3   # better-sqlite3 and epoll (onoff) compile on install
if ! getent passwd meow >/dev/null 2>&1 || [ -n "$ROOT" ]; then
  system useradd --system --home-dir /var/lib/meow --shell /usr/sbin/nologin --user-group --groups dialout,gpio meow
fi
if [ "$DRY_RUN" = 1 ]; then
  say "would copy $SOURCE_DIR to $APP_DIR"
else
  mkdir -p "$ROOT$APP_DIR"
  tar -C "$SOURCE_DIR" --exclude=./node_modules --exclude=./.git --exclude=./.meow-data -cf - . | tar -C "$ROOT$APP_DIR" -xf -
  say "copied $SOURCE_DIR to $APP_DIR"
fi
system sh -c "cd '$APP_DIR' && npm ci --omit=dev"
# Commands on PATH: `meow status` works from any directory (the app is not a global npm package).
for cmd in meow meow-node meow-relay; do
  write_file "/usr/local/bin/$cmd" <<SH
#!/bin/sh
exec node '$APP_DIR/bin/$cmd.js' "\$@"
SH
  [ "$DRY_RUN" = 1 ] || chmod 755 "$ROOT/usr/local/bin/$cmd"
done

if [ ! -f "$ROOT/etc/meow/node.json" ]; then
  write_file /etc/meow/node.json <<'JSON'
{
  "dataDir": "/var/lib/meow",
  "region": "EU868",
  "links": [
    { "type": "udp", "port": 6369, "mdns": true },
    { "type": "lora", "path": "/dev/serial0", "m0Pin": 22, "m1Pin": 27, "channel": 18, "airRateBps": 2400, "netId": 0 }
  ]
}
JSON
  say "wrote /etc/meow/node.json (EU868, channel 18 = 868.125 MHz, 2.4 kbps): edit it for your region"
else
  say "kept existing /etc/meow/node.json"
fi
write_file /etc/systemd/system/meow-node.service < "$SCRIPT_DIR/meow-node.service"
system systemctl daemon-reload
system systemctl enable meow-node.service
say "done. Reboot for the UART and GPIO settings, then: systemctl status meow-node; meow status"
