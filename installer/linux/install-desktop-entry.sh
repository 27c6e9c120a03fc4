#!/bin/sh
# Add StrokeScope to the desktop menu of the current user (or, as root, of every user) by
# writing strokescope.desktop with this bundle's absolute path. Run from the unpacked bundle:
#   ./install-desktop-entry.sh            # ~/.local/share/applications
#   sudo ./install-desktop-entry.sh       # /usr/share/applications
set -eu
here=$(cd "$(dirname "$0")" && pwd)
if [ "$(id -u)" = 0 ]; then target=/usr/share/applications; else
    target="${XDG_DATA_HOME:-$HOME/.local/share}/applications"; fi
mkdir -p "$target"
sed "s|@BUNDLE@|$here|g" "$here/strokescope.desktop" > "$target/strokescope.desktop.tmp"
mv "$target/strokescope.desktop.tmp" "$target/strokescope.desktop"
command -v update-desktop-database >/dev/null 2>&1 && update-desktop-database "$target" || true
echo "installed $target/strokescope.desktop"
