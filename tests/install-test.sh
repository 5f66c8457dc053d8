#!/usr/bin/env bash
# SPDX-License-Identifier: MIT OR LGPL-2.1-or-later
# install-test.sh - install into a temporary prefix, then build and run a
# program out of tree with `pkg-config --cflags --libs libringdev`, against
# both the shared and the static library; check soname, exported symbols
# and a DESTDIR staging install.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

make -s install PREFIX="$tmp/prefix" >/dev/null
make -s install PREFIX=/usr DESTDIR="$tmp/stage" >/dev/null
for f in usr/lib/libringdev.so.0.1 usr/lib/libringdev.so.0 usr/lib/libringdev.a \
	 usr/lib/pkgconfig/libringdev.pc usr/include/ringdev/ringdev.h \
	 usr/include/linux/ringdev.h usr/share/man/man3/ringdev_chan_create.3 \
	 usr/share/man/man7/ringdev.7; do
	[ -e "$tmp/stage/$f" ] || { echo "DESTDIR install lacks $f"; exit 1; }
done

so="$tmp/prefix/lib/libringdev.so.0.1"
soname=$(readelf -d "$so" | sed -n 's/.*SONAME.*\[\(.*\)\]/\1/p')
[ "$soname" = libringdev.so.0 ] || { echo "soname is '$soname'"; exit 1; }
# Only the version script's symbols leave the library.
exported=$(nm -D --defined-only "$so" | awk '$3 != "LIBRINGDEV_0.1" {print $3}' | sed 's/@.*//' | sort)
listed=$(sed -n 's/^[[:space:]]*\(ringdev_[a-z_0-9]*\);/\1/p' lib/libringdev.map | sort)
if [ "$exported" != "$listed" ]; then
	echo "exported symbols differ from lib/libringdev.map:"
	diff <(echo "$listed") <(echo "$exported") || true
	exit 1
fi

mkdir "$tmp/app"
cat >"$tmp/app/app.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <ringdev/ringdev.h>

int main(void)
{
	struct ringdev_chan *c;
	struct ringdev_envelope e, got;
	char buf[32];
	int n;

	if (ringdev_chan_create(NULL, &c))
		return 1;
	memset(&e, 0, sizeof(e));
	e.len = 5;
	if (ringdev_chan_send(c, &e, "hello", 0))
		return 2;
	n = ringdev_chan_recv(c, &got, buf, sizeof(buf), 0);
	if (n != 5 || memcmp(buf, "hello", 5))
		return 3;
	printf("installed libringdev %s works\n", ringdev_version());
	ringdev_chan_close(c);
	return 0;
}
C
export PKG_CONFIG_PATH="$tmp/prefix/lib/pkgconfig"
cflags=$(pkg-config --cflags libringdev)
libs=$(pkg-config --libs libringdev)
( cd "$tmp/app" && cc -Wall -Wextra -Werror $cflags app.c $libs -o app-shared )
LD_LIBRARY_PATH="$tmp/prefix/lib" "$tmp/app/app-shared"
# Not "ldd | grep -q": with pipefail, grep's early exit can fail ldd on SIGPIPE.
linked=$(LD_LIBRARY_PATH="$tmp/prefix/lib" ldd "$tmp/app/app-shared")
grep -q "$tmp/prefix/lib/libringdev.so.0" <<<"$linked" ||
	{ echo "app-shared did not use the installed library"; ldd "$tmp/app/app-shared"; exit 1; }
( cd "$tmp/app" && cc -Wall -Wextra -Werror $cflags app.c \
	$(pkg-config --libs --static libringdev | sed 's/-lringdev/-l:libringdev.a/') -o app-static )
"$tmp/app/app-static"
echo "install test passed"
