#!/bin/sh
# Fails when a translatable string of the library has no translation in
# one of the languages of LINGUAS, or when a .po file does not compile.
# Usage: check-translations.sh SRCDIR (the project's top source dir)
set -eu
top=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

cd "$top"
grep -v '^#' po/POTFILES.in | grep -v '^$' > "$tmp/files"
xgettext --from-code=UTF-8 --keyword=_ --keyword=N_ --add-comments=TRANSLATORS \
  --files-from="$tmp/files" --output="$tmp/msrp-glib.pot"

status=0

# Every source with translatable strings must be listed.
for f in $(grep -l '[^a-z_]_ *(' msrp-glib/*.c msrp-glib/*/*.c tools/*.c 2>/dev/null); do
  case "$f" in
    msrp-glib/msrp-utils.c) ;;  # defines _(), translates nothing
    *)
      if ! grep -qx "$f" "$tmp/files"; then
        echo "not ok: $f has translatable strings but is not in po/POTFILES.in"
        status=1
      fi
      ;;
  esac
done

for lang in $(grep -v '^#' po/LINGUAS); do
  if ! msgfmt --check --output-file=/dev/null "po/$lang.po"; then
    echo "not ok: po/$lang.po does not compile"
    status=1
  fi
  # msgcmp counts untranslated and fuzzy messages as missing.
  if msgcmp "po/$lang.po" "$tmp/msrp-glib.pot" 2> "$tmp/msgcmp.log"; then
    echo "ok: po/$lang.po translates every string"
  else
    echo "not ok: po/$lang.po lacks translations:"
    cat "$tmp/msgcmp.log"
    status=1
  fi
done
exit $status
