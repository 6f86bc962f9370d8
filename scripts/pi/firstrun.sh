#!/bin/sh
# Runs once at first boot (cmdline.txt systemd.run=, written by prepare-sd.sh), offline:
#  - installs the .debs carried in meow/debs (Node.js >= 20.19, hostapd, dnsmasq) when the image
#    lacks Node.js >= 20.19 or, with an access point, hostapd or dnsmasq;
#  - the user "meow", the app in /opt/meow, the config in /etc/meow, the systemd units;
#  - with meow/wifi/ (the access point files prepare-sd.sh generated from the wifi block): installs
#    them under /etc, gives Avahi the mDNS name, keeps NetworkManager (or dhcpcd on older images)
#    off the interface, enables meow-ap, dnsmasq and meow-portal;
#  - frees the UART from the serial getty; removes its hook from cmdline.txt and reboots.
# Each step logs what it changed to meow/firstrun.log on the boot partition (readable from any
# laptop). Idempotent: a second run changes nothing and says "unchanged".
# MEOW_FIRSTRUN_ROOT and MEOW_FIRSTRUN_BOOT point it at a sandbox (test/pi/firstrun.test.ts).
set -eu
R="${MEOW_FIRSTRUN_ROOT:-}"
B="${MEOW_FIRSTRUN_BOOT:-/boot/firmware}"; [ -d "$B/meow" ] || B=/boot
M="$B/meow"
log() { echo "meow-firstrun: $*" | tee -a "$M/firstrun.log"; }

# install_file SRC DEST MODE: copies only when different, and says which.
install_file() {
  if [ -f "$R$2" ] && cmp -s "$1" "$R$2"; then log "unchanged $2"; return 0; fi
  install -D -m "$3" "$1" "$R$2"
  log "installed $2"
}

has_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
node_ok() { command -v node >/dev/null && node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; }

# 1. Debian packages from the card (no network: dpkg only).
need_debs=""
node_ok || need_debs="Node.js >= 20.19"
if [ -d "$M/wifi" ]; then
  for p in hostapd dnsmasq; do has_pkg "$p" || need_debs="${need_debs:+$need_debs, }$p"; done
fi
if [ -n "$need_debs" ]; then
  if ls "$M"/debs/*.deb >/dev/null 2>&1; then
    if dpkg -i "$M"/debs/*.deb >>"$M/firstrun.log" 2>&1; then log "installed from $M/debs: $need_debs"
    else log "dpkg -i $M/debs/*.deb failed (a dependency missing from meow/debs? see above): $need_debs"; fi
  else
    log "missing $need_debs and no .debs in $M/debs: see docs/HARDWARE.md, step 3"
  fi
else
  log "unchanged packages (Node.js >= 20.19 and, for an access point, hostapd and dnsmasq already there)"
fi

# 2. The node: user, app, config, units.
if id meow >/dev/null 2>&1; then log "unchanged user meow"; else useradd --system --home-dir /var/lib/meow --shell /usr/sbin/nologin meow && log "created user meow"; fi
for g in dialout gpio; do getent group "$g" >/dev/null && usermod -a -G "$g" meow; done
install -d -m 0755 "$R/opt/meow" "$R/etc/meow"
install -d -m 0700 "$R/var/lib/meow" && chown meow:meow "$R/var/lib/meow"
if [ -f "$M/app.tar.gz" ]; then tar -xzf "$M/app.tar.gz" -C "$R/opt/meow" && log "app unpacked in /opt/meow"; fi
if [ -f "$R/etc/meow/node.json" ]; then log "unchanged /etc/meow/node.json (kept: edit it there)"
else install -m 0640 "$M/node.json" "$R/etc/meow/node.json" && chgrp meow "$R/etc/meow/node.json" && log "installed /etc/meow/node.json"; fi
install_file "$M/meow-node.service" /etc/systemd/system/meow-node.service 0644
install_file "$M/meow-relay.service" /etc/systemd/system/meow-relay.service 0644

# 3. The access point (meow/wifi holds the /etc tree wifi-ap.ts generated on the laptop).
units="meow-node.service"
if [ -d "$M/wifi" ]; then
  for f in $(cd "$M/wifi" && find etc -type f | sort); do
    # The hostapd file holds the WPA2 passphrase.
    case "$f" in etc/hostapd/*) mode=0600 ;; *) mode=0644 ;; esac
    install_file "$M/wifi/$f" "/$f" "$mode"
  done
  iface="$(sed -n 's/^interface=//p' "$M/wifi/etc/hostapd/meow.conf")"
  # Raspberry Pi OS before 12 (no NetworkManager) gives wlan0 to dhcpcd and its wpa_supplicant hook.
  if [ -f "$R/etc/dhcpcd.conf" ]; then
    if grep -qx "denyinterfaces $iface" "$R/etc/dhcpcd.conf"; then log "unchanged /etc/dhcpcd.conf"
    else echo "denyinterfaces $iface" >>"$R/etc/dhcpcd.conf" && log "dhcpcd leaves $iface alone (/etc/dhcpcd.conf)"; fi
  fi
  # mDNS name: the host-name line goes into avahi-daemon.conf's [server] section (Raspberry Pi OS ships avahi-daemon).
  name="$(cat "$M/wifi/etc/avahi/meow-host-name.conf")"
  conf="$R/etc/avahi/avahi-daemon.conf"
  if [ ! -f "$conf" ]; then log "no avahi-daemon: the mDNS name is not published (the access point's DNS still answers it)"
  elif grep -qx "$name" "$conf"; then log "unchanged $name in /etc/avahi/avahi-daemon.conf"
  else
    if grep -q '^#\{0,1\}host-name=' "$conf"; then sed -i "s/^#\{0,1\}host-name=.*/$name/" "$conf"
    else sed -i "/^\[server\]/a $name" "$conf"; fi
    log "set $name in /etc/avahi/avahi-daemon.conf"
  fi
  units="$units meow-ap.service dnsmasq.service"
  [ -f "$M/wifi/etc/systemd/system/meow-portal.service" ] && units="$units meow-portal.service"
fi

# 4. Units, console, hook.
systemctl daemon-reload
systemctl disable serial-getty@ttyS0.service serial-getty@ttyAMA0.service serial-getty@serial0.service 2>/dev/null || true
# shellcheck disable=SC2086 # one word per unit
systemctl enable $units && log "enabled $units"
sed -i 's| systemd.run=[^ ]*||; s| systemd.run_success_action=[^ ]*||; s| systemd.unit=kernel-command-line.target||' "$B/cmdline.txt"
touch "$M/firstrun.done"
log "done"
exit 0
