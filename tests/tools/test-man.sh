#!/bin/sh
# test-man.sh MANPAGE: the page is troff that groff formats without a
# single warning (groff 1.22 has no option to make warnings fatal).
# SPDX-License-Identifier: LGPL-2.1-or-later
set -eu
echo 1..1
warnings=$(groff -man -ww -z "$1" 2>&1)
if [ -n "$warnings" ]; then
  printf 'not ok 1 - groff warns about %s:\n%s\n' "$1" "$warnings"
  exit 1
fi
for section in NAME SYNOPSIS DESCRIPTION COMMANDS 'EXIT STATUS' EXAMPLES; do
  grep -q "^\.SH $section\$" "$1" || { echo "not ok 1 - no $section section"; exit 1; }
done
echo 'ok 1 - the manual page formats without warnings'
