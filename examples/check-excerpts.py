#!/usr/bin/python3
# check-excerpts.py: checks that the code the documentation quotes from the
# examples is still what the examples say.
#
# SPDX-License-Identifier: LGPL-2.1-or-later
#
# Usage: check-excerpts.py SOURCE_ROOT FILE...
#
# In each Markdown FILE, a line "<!-- from examples/NAME -->" must be followed
# by a fenced code block whose lines appear, in the same order and without
# gaps, in SOURCE_ROOT/examples/NAME. Each FILE must quote at least one
# excerpt. Prints TAP.

import os
import re
import sys

MARKER = re.compile(r'^<!-- from (\S+) -->$')


def excerpts(markdown):
    lines = markdown.split('\n')
    for i, line in enumerate(lines):
        match = MARKER.match(line)
        if match is None:
            continue
        if i + 1 >= len(lines) or not lines[i + 1].startswith('```'):
            yield match.group(1), i + 1, None
            continue
        end = lines.index('```', i + 2)
        yield match.group(1), i + 1, lines[i + 2:end]


def contains(haystack, needle):
    return any(haystack[i:i + len(needle)] == needle
               for i in range(len(haystack) - len(needle) + 1))


def main():
    root = sys.argv[1]
    results = []
    for name in sys.argv[2:]:
        with open(name, encoding='utf-8') as f:
            found = list(excerpts(f.read()))
        if not found:
            results.append((False, f'{os.path.basename(name)} quotes no example'))
        for source, line, block in found:
            what = f'{os.path.basename(name)}:{line} quotes {source}'
            if block is None:
                results.append((False, f'{what}: no code block follows the marker'))
                continue
            with open(os.path.join(root, source), encoding='utf-8') as f:
                example = f.read().split('\n')
            ok = len(block) > 0 and contains(example, block)
            results.append((ok, what if ok else f'{what}: the block is not in the file any more'))

    print(f'1..{len(results)}')
    for number, (ok, what) in enumerate(results, 1):
        print(f'{"ok" if ok else "not ok"} {number} {what}')
    return 0 if all(ok for ok, _ in results) else 1


if __name__ == '__main__':
    sys.exit(main())
