#!/bin/sh
# test-install.sh: install the build into a temporary DESTDIR, then build and
# run a program against the installed copy, found through pkg-config.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: test-install.sh --meson MESON --build-dir DIR --prefix DIR
#          --libdir DIR --includedir DIR --datadir DIR --cc "CC [ARGS]"
#          [--sanitize LIST] [--gir yes|no] [--vapi yes|no] [--docs yes|no]
#
# Prints TAP. Everything it writes is under its own temporary directory, which
# it removes on exit.

set -u

meson=
build_dir=
prefix=
libdir=
includedir=
datadir=
cc=
sanitize=none
gir=no
vapi=no
docs=no

while [ $# -gt 0 ]; do
  case "$1" in
    --meson) meson=$2 ;;
    --build-dir) build_dir=$2 ;;
    --prefix) prefix=$2 ;;
    --libdir) libdir=$2 ;;
    --includedir) includedir=$2 ;;
    --datadir) datadir=$2 ;;
    --cc) cc=$2 ;;
    --sanitize) sanitize=$2 ;;
    --gir) gir=$2 ;;
    --vapi) vapi=$2 ;;
    --docs) docs=$2 ;;
    *) echo "Bail out! unknown argument: $1"; exit 1 ;;
  esac
  shift 2
done

for var in meson build_dir prefix libdir includedir datadir cc; do
  eval "value=\$$var"
  if [ -z "$value" ]; then
    echo "Bail out! --$var is missing" | tr _ -
    exit 1
  fi
done

# Directory options are relative to the prefix unless they are absolute.
in_prefix () {
  case "$1" in
    /*) printf '%s\n' "$1" ;;
    *) printf '%s\n' "$prefix/$1" ;;
  esac
}
libdir=$(in_prefix "$libdir")
includedir=$(in_prefix "$includedir")
datadir=$(in_prefix "$datadir")

tmp=$(mktemp -d "${TMPDIR:-/tmp}/msrp-glib-install-test.XXXXXX") || {
  echo "Bail out! cannot make a temporary directory"
  exit 1
}
trap 'rm -rf "$tmp"' EXIT
trap 'exit 1' HUP INT TERM
destdir="$tmp/root"

n=0
failed=0
ok () {
  n=$((n + 1))
  echo "ok $n - $1"
}
not_ok () {
  n=$((n + 1))
  failed=$((failed + 1))
  echo "not ok $n - $1"
  if [ -s "$tmp/log" ]; then
    sed 's/^/# /' "$tmp/log"
  fi
}
finish () {
  echo "1..$n"
  if [ "$failed" -gt 0 ]; then
    exit 1
  fi
  exit 0
}

# 1. Install. "meson test" builds only what the tests need, so build the
# rest (translations, docs, ...) first; nothing else runs meanwhile (the
# test is not parallel).
if "$meson" compile -C "$build_dir" >"$tmp/log" 2>&1; then
  ok "meson compile"
else
  not_ok "meson compile"
  finish
fi
if "$meson" install -C "$build_dir" --destdir "$destdir" --no-rebuild --quiet >"$tmp/log" 2>&1; then
  ok "meson install --destdir"
else
  not_ok "meson install --destdir"
  finish
fi

# 2. The files a user of the library needs, where they belong.
check_file () {
  if [ -f "$destdir$1" ]; then
    ok "installed $1"
  else
    : >"$tmp/log"
    not_ok "installed $1"
  fi
}
check_file "$libdir/libmsrp-glib-1.0.so.0"
check_file "$libdir/pkgconfig/msrp-glib-1.0.pc"
for header in msrp-glib.h msrp-version.h msrp-enums.h msrp-error.h msrp-uri.h msrp-chunk.h; do
  check_file "$includedir/msrp-glib-1.0/msrp-glib/$header"
done
if [ "$gir" = yes ]; then
  check_file "$datadir/gir-1.0/Msrp-1.0.gir"
  check_file "$libdir/girepository-1.0/Msrp-1.0.typelib"
fi
if [ "$vapi" = yes ]; then
  check_file "$datadir/vala/vapi/msrp-glib-1.0.vapi"
  check_file "$datadir/vala/vapi/msrp-glib-1.0.deps"
fi
if [ "$docs" = yes ]; then
  check_file "$datadir/doc/msrp-glib-1.0/index.html"
  check_file "$datadir/doc/msrp-glib-1.0/msrp-glib-1.0.devhelp2"
fi
# Private headers stay private.
: >"$tmp/log"
for header in "$destdir$includedir"/msrp-glib-1.0/msrp-glib/*private*; do
  if [ -e "$header" ]; then
    echo "$header" >>"$tmp/log"
  fi
done
if [ -s "$tmp/log" ]; then
  not_ok "no private headers installed"
else
  ok "no private headers installed"
fi

# 3. Build a program against the installed copy. The sysroot applies to
# every package's paths, and only msrp-glib is in it: its requirements
# (GLib, GIO) come from the system.
cat >"$tmp/program.c" <<'EOF'
#include <stdio.h>
#include <string.h>
#include <msrp-glib/msrp-glib.h>

int
main (void)
{
  static const char send[] =
    "MSRP a786hjs2 SEND\r\n"
    "To-Path: msrp://biloxi.example.com:12763/kjhd37s2s20w2a;tcp\r\n"
    "From-Path: msrp://atlanta.example.com:7654/jshA7weztas;tcp\r\n"
    "Message-ID: 87652491\r\n"
    "Byte-Range: 1-23/23\r\n"
    "Content-Type: text/plain\r\n"
    "\r\n"
    "Hey Bob, are you there?\r\n"
    "-------a786hjs2$\r\n";
  g_autoptr(GBytes) data = g_bytes_new_static (send, strlen (send));
  g_autoptr(GError) error = NULL;
  g_autoptr(MsrpChunk) chunk = NULL;
  g_autoptr(GBytes) encoded = NULL;
  MsrpUri *to;

  if (!MSRP_CHECK_VERSION (1, 0, 0) || msrp_get_major_version () != MSRP_MAJOR_VERSION)
    return 2;
  chunk = msrp_chunk_parse (data, NULL, &error);
  if (chunk == NULL)
    {
      fprintf (stderr, "%s\n", error->message);
      return 1;
    }
  to = g_ptr_array_index (msrp_chunk_get_to_path (chunk), 0);
  encoded = msrp_chunk_encode (chunk);
  printf ("%s %s %s %s %u %s\n", MSRP_VERSION_S,
          msrp_chunk_get_method (chunk),
          msrp_chunk_get_transaction_id (chunk),
          msrp_uri_get_host (to),
          msrp_uri_get_port (to),
          g_bytes_equal (encoded, data) ? "same" : "different");
  return 0;
}
EOF

pc_path="$destdir$libdir/pkgconfig"
if PKG_CONFIG_PATH="$pc_path" PKG_CONFIG_SYSROOT_DIR="$destdir" \
     pkg-config --cflags --libs msrp-glib-1.0 >"$tmp/flags" 2>"$tmp/log"; then
  ok "pkg-config finds msrp-glib-1.0 in $libdir/pkgconfig"
else
  not_ok "pkg-config finds msrp-glib-1.0 in $libdir/pkgconfig"
  finish
fi
if grep -q -- "-I$destdir$includedir/msrp-glib-1.0" "$tmp/flags" &&
   grep -q -- "-L$destdir$libdir" "$tmp/flags"; then
  ok "pkg-config points into the installed copy"
else
  cp "$tmp/flags" "$tmp/log"
  not_ok "pkg-config points into the installed copy"
fi

sanitize_flags=
if [ "$sanitize" != none ] && [ -n "$sanitize" ]; then
  sanitize_flags="-fsanitize=$sanitize"
fi
msrp_flags=$(cat "$tmp/flags")
system_flags=$(pkg-config --cflags --libs glib-2.0 gobject-2.0 gio-2.0 libsoup-3.0)
# shellcheck disable=SC2086 # word splitting of the flags is intended
if $cc $sanitize_flags -Wall -Werror -o "$tmp/program" "$tmp/program.c" \
     $msrp_flags $system_flags >"$tmp/log" 2>&1; then
  ok "a program compiles and links against the installed copy"
else
  not_ok "a program compiles and links against the installed copy"
  finish
fi

# 4. Run it on the installed library, and only that one.
if LD_LIBRARY_PATH="$destdir$libdir" "$tmp/program" >"$tmp/output" 2>"$tmp/log"; then
  ok "the program runs"
else
  not_ok "the program runs"
  finish
fi
LD_LIBRARY_PATH="$destdir$libdir" ldd "$tmp/program" >"$tmp/ldd" 2>&1
if grep -q "libmsrp-glib-1.0.so.0 => $destdir$libdir/" "$tmp/ldd"; then
  ok "the program uses the installed library"
else
  cp "$tmp/ldd" "$tmp/log"
  not_ok "the program uses the installed library"
fi

version=$(sed -n 's/^Version: //p' "$pc_path/msrp-glib-1.0.pc")
expected="$version SEND a786hjs2 biloxi.example.com 12763 same"
if [ "$(cat "$tmp/output")" = "$expected" ]; then
  ok "the program prints what it should"
else
  { echo "expected: $expected"; echo "got:"; cat "$tmp/output"; } >"$tmp/log"
  not_ok "the program prints what it should"
fi

finish
