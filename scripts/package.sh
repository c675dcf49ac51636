#!/usr/bin/env bash
# Builds the gatewatch-agent and gatewatch-console Debian packages (amd64): scripts/package.sh [--out DIR]
#
# Self-contained, not framework-dependent: Debian 12 and 13 ship no .NET 10 runtime, and a park's gate box should
# not need Microsoft's apt repository (or any network) to install. The cost is size (the runtime is in each
# package); see packaging/README.md for the figures. The packaging files themselves are in packaging/.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT="$ROOT/artifacts/packages"
while [ $# -gt 0 ]; do
  case "$1" in
    --out) OUT="${2:?--out needs a folder}"; shift 2 ;;
    -h | --help) sed -n '2p' "$0" | sed 's/^# //'; exit 0 ;;
    *) echo "package.sh: unknown argument '$1' (usage: scripts/package.sh [--out DIR])" >&2; exit 2 ;;
  esac
done
for tool in dotnet dpkg-deb fakeroot; do
  command -v "$tool" >/dev/null || { echo "package.sh: $tool is missing (apt-get install dpkg-dev fakeroot)" >&2; exit 1; }
done
# zstd: the agent package builds in 2 s instead of 105 s with xz and unpacks a little faster (3.4 s against 4.2 s),
# for a file 29 % bigger (139 MB against 108 MB; packaging/README.md); dpkg reads both since Debian 12.
# GATEWATCH_DEB_COMPRESSION=xz for the smallest files, where a box's link is slow.
COMPRESSION="${GATEWATCH_DEB_COMPRESSION:-zstd}"
# The version grows with every commit, so an upgrade is always an upgrade to dpkg.
VERSION="0.1.$(git -C "$ROOT" rev-list --count HEAD 2>/dev/null || echo 0)"
WORK="$ROOT/artifacts/package"
rm -rf "$WORK/root"
mkdir -p "$WORK/root" "$OUT"
# The plate models are not committed; the agent package carries them (a no-op when present).
"$ROOT/models/get-plates.sh" >/dev/null

publish() { # project dest
  # --artifacts-path keeps this RID-specific build out of bin/ and obj/, which the tests' plain build uses.
  dotnet publish "$ROOT/src/$1" -c Release -r linux-x64 --self-contained true -nologo -v q \
    -p:DebugType=none --artifacts-path "$WORK/build" -o "$2"
}

build() { # package project description depends conffile...
  local name="$1" project="$2" description="$3" depends="$4"
  local root="$WORK/root/$name" short="${name#gatewatch-}"
  echo "package: $name $VERSION (publishing $project)"
  publish "$project" "$root/usr/lib/$name"
  install -D -m 0755 "$ROOT/packaging/$name" "$root/usr/bin/$name"
  install -D -m 0644 "$ROOT/packaging/$name.service" "$root/usr/lib/systemd/system/$name.service"
  install -D -m 0644 "$ROOT/packaging/README.md" "$root/usr/share/doc/$name/README.md"
  mkdir -p "$root/DEBIAN"
  for script in prerm postrm; do
    install -m 0755 "$ROOT/packaging/$short/$script" "$root/DEBIAN/$script"
  done
  # The user's creation is the same in both packages: one copy in the source, pasted into each postinst.
  awk -v user="$ROOT/packaging/user.sh" '/#USER#/ { while ((getline line < user) > 0) if (line !~ /^#/) print "  " line; next } { print }' \
    "$ROOT/packaging/$short/postinst" > "$root/DEBIAN/postinst"
  chmod 0755 "$root/DEBIAN/postinst"
  : > "$root/DEBIAN/conffiles"
  for conf in "${@:5}"; do
    install -D -m 0644 "$ROOT/packaging/$conf" "$root/etc/gatewatch/$conf"
    echo "/etc/gatewatch/$conf" >> "$root/DEBIAN/conffiles"
  done
  cat > "$root/DEBIAN/control" <<CONTROL
Package: $name
Version: $VERSION
Architecture: amd64
Maintainer: GateWatch <gatewatch@localhost>
Section: video
Priority: optional
Installed-Size: $(du -sk --exclude=DEBIAN "$root" | cut -f1)
Depends: $depends
Description: $description
CONTROL
  fakeroot dpkg-deb -Z"$COMPRESSION" --build "$root" "$OUT/${name}_${VERSION}_amd64.deb" >/dev/null
  echo "package: $OUT/${name}_${VERSION}_amd64.deb ($(du -h "$OUT/${name}_${VERSION}_amd64.deb" | cut -f1))"
}

# What a self-contained .NET app still takes from the system: libc, libstdc++, OpenSSL (https) and zlib. The
# t64 names are Debian 13's. OpenCvSharp's native library links GTK 3; ffmpeg records and decodes the cameras.
base="libc6, libgcc-s1, libstdc++6, zlib1g, libssl3 | libssl3t64, ca-certificates, passwd, util-linux"
build gatewatch-agent GateAgent \
  "GateWatch edge agent for a park gate's cameras
 Reads the gate's cameras (RTSP), logs every entry and exit of people and vehicles
 across the gate line, flags crowds, records continuously and around incidents, and
 keeps working while the link to the console is down. One per gate." \
  "$base, ffmpeg, libgtk-3-0 | libgtk-3-0t64" agent.json
build gatewatch-console Console \
  "GateWatch central console: live wall, alerts, recordings, evidence
 Guards watch the gates' live feeds and get alerts; reviewers read recordings and
 entry statistics; investigators export signed evidence packages for cases." \
  "$base, tzdata" console.env
