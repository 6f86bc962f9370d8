#!/usr/bin/env bash
# Prepares a Raspberry Pi OS image (or a mounted SD card's boot partition) on a laptop so the
# node works at first boot without Internet. See docs/HARDWARE.md "From SD card to first message".
#
#   scripts/pi/prepare-sd.sh --image raspios.img --config node.json [--bundle meow-arm64.tar.gz] [--debs DIR]
#   scripts/pi/prepare-sd.sh --boot /media/$USER/bootfs --config node.json [...]
#   --pi-boot /boot for a Raspberry Pi OS 11 (bullseye, "Legacy") image: it mounts the boot partition
#   at /boot, not /boot/firmware, and first boot's hook must name the script there.
#
# Everything goes onto the FAT boot partition, written with mtools (no mount, no root): the ext4
# root file system is changed at first boot by meow/firstrun.sh, which cmdline.txt runs once
# (systemd.run=, the mechanism Raspberry Pi Imager uses) and which then removes itself from it.
#  - config.txt: enable_uart=1, gpio=22,27=op,dl (M0/M1 low from power-on: E22 normal mode)
#  - cmdline.txt: serial console removed (console=serial0/ttyAMA0/ttyS0), firstrun hook added
#  - meow/: node.json, the app bundle (source + node_modules built for arm64 or armhf), Debian
#    .deb files (nodejs >= 20.19, hostapd, dnsmasq and their dependencies) for an image without
#    them, the systemd units meow-node.service and meow-relay.service, firstrun.sh
#  - meow/wifi/: with an enabled "wifi" block, the access point's /etc files generated from it by
#    scripts/pi/wifi-ap.ts (needs Node.js and `npm ci` in this repository on the laptop)
# Idempotent: a second run with the same inputs changes nothing and says so.
set -euo pipefail

IMAGE="" BOOT_DIR="" CONFIG="" BUNDLE="" DEBS="" OFFSET=""
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
MARK_BEGIN="# >>> meow-mesh (scripts/pi/prepare-sd.sh) >>>"
MARK_END="# <<< meow-mesh <<<"
# Where the running Pi mounts the boot partition: /boot/firmware from Raspberry Pi OS 12 on, /boot on 11 (--pi-boot /boot).
PI_BOOT=/boot/firmware

say() { printf '[prepare-sd] %s\n' "$*"; }
die() { printf 'prepare-sd: %s\n' "$*" >&2; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --image) IMAGE="${2:?--image needs a file}"; shift 2 ;;
    --boot) BOOT_DIR="${2:?--boot needs a directory}"; shift 2 ;;
    --config) CONFIG="${2:?--config needs a file}"; shift 2 ;;
    --bundle) BUNDLE="${2:?--bundle needs a .tar.gz}"; shift 2 ;;
    --debs) DEBS="${2:?--debs needs a directory}"; shift 2 ;;
    --boot-offset) OFFSET="${2:?--boot-offset needs bytes}"; shift 2 ;;
    --pi-boot) PI_BOOT="${2:?--pi-boot needs /boot/firmware or /boot}"; shift 2 ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown option $1 (--help)" ;;
  esac
done
[ -n "$IMAGE" ] || [ -n "$BOOT_DIR" ] || die "give --image FILE or --boot DIR"
[ -z "$IMAGE" ] || [ -z "$BOOT_DIR" ] || die "give --image or --boot, not both"
[ -n "$CONFIG" ] || die "give --config node.json (the node's configuration)"
[ -r "$CONFIG" ] || die "cannot read $CONFIG"
[ -z "$BUNDLE" ] || [ -r "$BUNDLE" ] || die "cannot read $BUNDLE"
[ -z "$DEBS" ] || [ -d "$DEBS" ] || die "$DEBS is not a directory"
case "$PI_BOOT" in /boot/firmware|/boot) ;; *) die "--pi-boot must be /boot/firmware (Raspberry Pi OS 12 and later) or /boot (11)" ;; esac
FIRSTRUN="systemd.run=$PI_BOOT/meow/firstrun.sh systemd.run_success_action=reboot systemd.unit=kernel-command-line.target"

if [ -n "$IMAGE" ]; then
  [ -f "$IMAGE" ] || die "no image at $IMAGE"
  command -v mcopy >/dev/null || die "mtools is needed to write the image without mounting it (apt-get install mtools)"
  if [ -z "$OFFSET" ]; then
    # MBR partition 1 (offset 446): type byte at +4 (0x0b/0x0c FAT32, 0x0e FAT16 LBA), start LBA at +8, little-endian.
    [ "$(od -An -tx1 -j 510 -N2 "$IMAGE" | tr -d ' \n')" = "55aa" ] || die "$IMAGE has no MBR partition table: give --boot-offset"
    lba="$(od -An -tu4 -j 454 -N4 "$IMAGE" | tr -d ' ')"
    OFFSET=$((lba * 512))
  fi
  IMG="$IMAGE@@$OFFSET"
  mdir -i "$IMG" ::/ >/dev/null 2>&1 || die "no FAT file system at byte $OFFSET of $IMAGE"
fi

WORK="$(mktemp -d)"; trap 'rm -rf "$WORK"' EXIT
CHANGED=0

# Boot partition access: the same four operations on an image (mtools) or a directory.
boot_get() { if [ -n "$IMAGE" ]; then mtype -i "$IMG" "::/$1" 2>/dev/null || true; else cat "$BOOT_DIR/$1" 2>/dev/null || true; fi; }
boot_has() { if [ -n "$IMAGE" ]; then mdir -i "$IMG" "::/$1" >/dev/null 2>&1; else [ -e "$BOOT_DIR/$1" ]; fi; }
boot_mkdir() { if [ -n "$IMAGE" ]; then boot_has "$1" || mmd -i "$IMG" "::/$1"; else mkdir -p "$BOOT_DIR/$1"; fi; }
boot_rmtree() { if [ -n "$IMAGE" ]; then mdeltree -i "$IMG" "::/$1"; else rm -rf "${BOOT_DIR:?}/$1"; fi; }
# Writes local file $1 to boot path $2 only when it differs: re-runs change nothing.
boot_put() {
  local cur="$WORK/current"
  if boot_has "$2"; then
    if [ -n "$IMAGE" ]; then mcopy -n -o -i "$IMG" "::/$2" "$cur"; else cp "$BOOT_DIR/$2" "$cur"; fi
    if cmp -s "$1" "$cur"; then return 0; fi
  fi
  if [ -n "$IMAGE" ]; then mcopy -o -i "$IMG" "$1" "::/$2"; else cp "$1" "$BOOT_DIR/$2"; fi
  say "wrote $2"
  CHANGED=1
}

# 0. The access point's files, generated by the parser meow-node and `meow doctor` use, before anything
#    is written: a bad wifi block changes nothing on the card.
if grep -q '"wifi"' "$CONFIG"; then
  command -v node >/dev/null || die "$CONFIG has a wifi block: Node.js is needed on this machine to generate the access point files"
  [ -d "$HERE/../../node_modules/tsx" ] || die "$CONFIG has a wifi block: run npm ci in $(cd "$HERE/../.." && pwd) first"
  node "$HERE/wifi-ap.js" --config "$CONFIG" --root "$WORK/wifi" >"$WORK/wifi.out" 2>"$WORK/wifi.err" || die "$(cat "$WORK/wifi.err")"
fi

boot_has config.txt || die "no config.txt on the boot partition: is this a Raspberry Pi OS boot partition?"
boot_has cmdline.txt || die "no cmdline.txt on the boot partition"

# 1. config.txt: our block replaced whole on every run (never duplicated), [all] first.
boot_get config.txt | awk -v b="$MARK_BEGIN" -v e="$MARK_END" '$0==b{skip=1;next} $0==e{skip=0;next} !skip' > "$WORK/config.base"
{ cat "$WORK/config.base"; printf '%s\n[all]\nenable_uart=1\n# M0 (BCM22) and M1 (BCM27) low from power-on: E22 normal mode.\ngpio=22,27=op,dl\n%s\n' "$MARK_BEGIN" "$MARK_END"; } > "$WORK/config.txt"
boot_put "$WORK/config.txt" config.txt

# 2. cmdline.txt: one line; no serial console; the first-boot hook unless first boot already ran.
boot_get cmdline.txt | head -n1 | tr ' ' '\n' | grep -v -E '^console=(serial0|ttyAMA0|ttyS0),' \
  | grep -v -E '^systemd\.(run|run_success_action|unit)=' | grep -v '^$' | paste -sd ' ' - > "$WORK/cmdline.base"
if boot_has meow/firstrun.done; then cp "$WORK/cmdline.base" "$WORK/cmdline.txt"
else printf '%s %s\n' "$(cat "$WORK/cmdline.base")" "$FIRSTRUN" > "$WORK/cmdline.txt"; fi
boot_put "$WORK/cmdline.txt" cmdline.txt

# 3. meow/: config, units, first-boot script, app bundle, Node.js packages.
boot_mkdir meow
boot_put "$CONFIG" meow/node.json
boot_put "$HERE/meow-node.service" meow/meow-node.service
boot_put "$HERE/meow-relay.service" meow/meow-relay.service
boot_put "$HERE/firstrun.sh" meow/firstrun.sh
[ -z "$BUNDLE" ] || boot_put "$BUNDLE" meow/app.tar.gz
if [ -n "$DEBS" ]; then
  boot_mkdir meow/debs
  for deb in "$DEBS"/*.deb; do [ -e "$deb" ] && boot_put "$deb" "meow/debs/$(basename "$deb")"; done
fi

# 4. meow/wifi/: the access point's files (generated above).
if [ -d "$WORK/wifi/etc" ]; then
  # Compared as a whole tree (one mtools call each way, not a few per file), rewritten whole when anything differs.
  mkdir -p "$WORK/wifi-card"
  if boot_has meow/wifi/etc; then
    if [ -n "$IMAGE" ]; then mcopy -s -n -i "$IMG" ::/meow/wifi/etc "$WORK/wifi-card/"; else cp -r "$BOOT_DIR/meow/wifi/etc" "$WORK/wifi-card/"; fi
  fi
  if ! diff -r -q "$WORK/wifi" "$WORK/wifi-card" >/dev/null 2>&1; then
    for f in $(cd "$WORK/wifi" && find etc -type f | sort); do cmp -s "$WORK/wifi/$f" "$WORK/wifi-card/$f" || say "wrote meow/wifi/$f"; done
    boot_has meow/wifi && boot_rmtree meow/wifi
    boot_mkdir meow/wifi
    if [ -n "$IMAGE" ]; then mcopy -s -i "$IMG" "$WORK/wifi/etc" ::/meow/wifi/; else cp -r "$WORK/wifi/etc" "$BOOT_DIR/meow/wifi/"; fi
    CHANGED=1
  fi
elif boot_has meow/wifi; then
  boot_rmtree meow/wifi; say "removed meow/wifi (no enabled wifi block: first boot sets up no access point)"; CHANGED=1
fi

[ -n "$BUNDLE" ] || boot_has meow/app.tar.gz || say "note: no --bundle: the node needs the app; build one on a machine of the Pi's CPU (docs/HARDWARE.md, 'From SD card to first message', step 4)"

if [ "$CHANGED" = 0 ]; then say "nothing to change: the boot partition is already prepared"; else say "done: put the card in the Pi and power it on"; fi
