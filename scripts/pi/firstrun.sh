#!/bin/sh
# Runs once at first boot (cmdline.txt systemd.run=, written by prepare-sd.sh), offline:
# installs Node.js from the .debs on the boot partition if the image has none >= 20.19,
# the app into /opt/meow, the config into /etc/meow, the systemd units, the user "meow";
# frees the UART from the serial getty; then removes its hook from cmdline.txt and reboots.
set -eu
B=/boot/firmware; [ -d "$B/meow" ] || B=/boot
M="$B/meow"
log() { echo "meow-firstrun: $*" | tee -a "$M/firstrun.log"; }

if ! command -v node >/dev/null || ! node -e 'const [a,b]=process.versions.node.split(".").map(Number);process.exit(a>20||(a===20&&b>=19)?0:1)'; then
  if ls "$M"/debs/*.deb >/dev/null 2>&1; then dpkg -i "$M"/debs/*.deb && log "installed Node.js from $M/debs"; else log "no Node.js >= 20.19 and no .debs: meow-node cannot start"; fi
fi
id meow >/dev/null 2>&1 || useradd --system --home-dir /var/lib/meow --shell /usr/sbin/nologin meow
for g in dialout gpio; do getent group "$g" >/dev/null && usermod -a -G "$g" meow; done
install -d -m 0755 /opt/meow /etc/meow
install -d -o meow -g meow -m 0700 /var/lib/meow
[ -f "$M/app.tar.gz" ] && tar -xzf "$M/app.tar.gz" -C /opt/meow && log "app unpacked in /opt/meow"
[ -f /etc/meow/node.json ] || install -m 0640 -g meow "$M/node.json" /etc/meow/node.json
install -m 0644 "$M/meow-node.service" "$M/meow-relay.service" /etc/systemd/system/
systemctl disable serial-getty@ttyS0.service serial-getty@ttyAMA0.service serial-getty@serial0.service 2>/dev/null || true
systemctl enable meow-node.service
sed -i 's| systemd.run=[^ ]*||; s| systemd.run_success_action=[^ ]*||; s| systemd.unit=kernel-command-line.target||' "$B/cmdline.txt"
touch "$M/firstrun.done"
log "done"
exit 0
