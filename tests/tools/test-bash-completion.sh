#!/usr/bin/env bash
# test-bash-completion.sh COMPLETION MSRP: the completion script loads in a
# plain bash (no bash-completion) without a word on stderr, and completes
# commands, options (from MSRP's --help) and option values.
# SPDX-License-Identifier: LGPL-2.1-or-later
set -u
completion=$1
tool=$2
echo 1..7
n=0

ok() {
    n=$((n + 1))
    if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; status=1; fi
}
status=0

errors=$(source "$completion" 2>&1 >/dev/null; complete -p msrp 2>&1 >/dev/null)
[[ -z $errors ]]; ok $? "sourcing prints nothing on stderr ${errors:+($errors)}"
source "$completion"

# complete: COMP_WORDS up to the cursor; prints COMPREPLY one per line.
complete_words() {
    COMP_WORDS=("$@")
    COMP_CWORD=$(($# - 1))
    COMPREPLY=()
    _msrp "$tool" "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]:-}" 2>/dev/null
    printf '%s\n' "${COMPREPLY[@]}"
}

got=$(complete_words msrp li)
[[ $got == listen ]]; ok $? "commands: 'li' gives listen, got: $got"

got=$(complete_words msrp send --su)
[[ $got == --success-report ]]; ok $? "options from --help: 'send --su', got: $got"

got=$(complete_words msrp listen --format=s)
[[ $got == summary ]]; ok $? "values: 'listen --format=s', got: $got"

got=$(complete_words msrp help re)
[[ $got == relay ]]; ok $? "help COMMAND: 'help re', got: $got"
got=$(complete_words msrp file re)
[[ $got == receive ]]; ok $? "file verbs: 'file re', got: $got"

got=$(complete_words msrp file receive --res)
[[ $got == --resume ]]; ok $? "file options: 'file receive --res', got: $got"
exit $status
