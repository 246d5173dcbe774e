#!/bin/bash
#
# test_uni_run_quote.sh - round trip of program arguments and environment
# through toolchain/uni-run's kernel command-line encoding and the kernel's
# parser (src/kernel/boot/cmdline.c).
#
# Layer: host test. For each case it asks uni-run for the -append text it
# would pass (the hidden --print-cmdline), decodes it with
# `test_cmdline --parse` (as PVH hands it over, and with --skip-first after
# an image path, as QEMU's multiboot loader hands it over) and compares the
# decoded argv/envp with what was given, byte for byte. It also checks that
# uni-run --print is valid shell whose -append word is that same text.
#
#   test_uni_run_quote.sh UNI_RUN TEST_CMDLINE [ECHO_IMAGE]
#
# ECHO_IMAGE (optional) is a bootable image that prints each argv entry as
# "A<arg>\0" and each environment string as "E<K=V>\0" on the console and
# exits 0: then every case is also booted under QEMU, end to end.

# The cases are literal strings on purpose:
# shellcheck disable=SC1003,SC2016

set -u

if (($# < 2 || $# > 3)); then
	echo "usage: $0 UNI_RUN TEST_CMDLINE [ECHO_IMAGE]" >&2
	exit 2
fi
uni_run=$1 parser=$2 echo_image=${3-}
[[ $uni_run == */* && $uni_run != /* ]] && uni_run=$PWD/$uni_run
[[ $parser == */* && $parser != /* ]] && parser=$PWD/$parser
[[ -n $echo_image && $echo_image != /* ]] && echo_image=$PWD/$echo_image

tmp=$(mktemp -d "${TMPDIR:-/tmp}/test_uni_run_quote.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
: >"$tmp/hello.img"
: >"$tmp/my app.img"
cd "$tmp" || exit 1

pass=0 fail=0

# check NAME IMAGE ARGV0 HAS_SEP NENV ENV... ARG...
#   IMAGE as given to uni-run, ARGV0 the expected argv[0], HAS_SEP 1 to
#   pass "--" and the ARGs, NENV the number of --env values that follow;
#   the expected environment is ENV with later duplicates of a name
#   replacing the earlier value in place.
check()
{
	local name=$1 image=$2 argv0=$3 has_sep=$4 nenv=$5
	shift 5
	local envs=("${@:1:nenv}")
	shift "$nenv"
	local args=("$@") opts=() e k i text words=() w prev='' found=''
	local -a want_env=()

	for e in "${envs[@]}"; do
		opts+=(--env "$e")
		k=${e%%=*}
		for i in "${!want_env[@]}"; do
			if [[ ${want_env[i]%%=*} == "$k" ]]; then
				want_env[i]=$e
				continue 2
			fi
		done
		want_env+=("$e")
	done
	((has_sep)) && opts+=(--)

	{
		printf 'A%s\0' "$argv0"
		((has_sep && ${#args[@]})) && printf 'A%s\0' "${args[@]}"
		((${#want_env[@]})) && printf 'E%s\0' "${want_env[@]}"
	} >"$tmp/want.ae"
	cp "$tmp/want.ae" "$tmp/want"
	printf 'H%s\0' "$has_sep" >>"$tmp/want"

	if ! text=$("$uni_run" "$image" --print-cmdline "${opts[@]}" "${args[@]}"); then
		result "$name" 1 "uni-run --print-cmdline failed"
		return
	fi

	"$parser" --parse "$text" >"$tmp/got" 2>&1
	cmp -s "$tmp/want" "$tmp/got"
	result "$name (pvh)" $? "decoded differently from [$text]"

	# as QEMU's multiboot loader passes it: "<kernel path> <append>"
	w=$image
	[[ $w == *[[:space:]]* ]] && w=/dev/fd/3
	"$parser" --parse --skip-first "$w $text" >"$tmp/got" 2>&1
	cmp -s "$tmp/want" "$tmp/got"
	result "$name (multiboot)" $? "decoded differently from [$w $text]"

	# --print is shell; its -append word is the same text. (With a
	# whitespace path it ends in a 3<PATH redirection for -kernel
	# /dev/fd/3, which is not a word.)
	w=$("$uni_run" "$image" --print "${opts[@]}" "${args[@]}")
	[[ $w == *" -kernel /dev/fd/3 "* ]] && w=${w% 3<*}
	if ! eval "words=( $w )"; then
		result "$name (--print)" 1 "--print output is not valid shell"
	else
		for w in "${words[@]}"; do
			[[ $prev == -append ]] && found=$w
			prev=$w
		done
		[[ $found == "$text" ]]
		result "$name (--print)" $? "-append word [$found] is not [$text]"
	fi

	if [[ -n $echo_image ]]; then
		local stem=${image##*/}
		stem=${stem%.img}
		local copy="$tmp/boot/$stem.img"
		mkdir -p "$tmp/boot"
		cp "$echo_image" "$copy"
		"$uni_run" "$copy" --timeout 60 "${opts[@]}" "${args[@]}" \
			</dev/null >"$tmp/got" 2>"$tmp/err"
		local rc=$?
		cmp -s "$tmp/want.ae" "$tmp/got" && ((rc == 0))
		result "$name (qemu)" $? "booted image printed something else (status $rc): $(od -c "$tmp/got" | head -5) $(cat "$tmp/err")"
	fi
}

result()
{
	if (($2 == 0)); then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		printf 'FAIL %s: %s\n' "$1" "$3" >&2
		[[ -f $tmp/got ]] && od -c "$tmp/got" | head -8 >&2
	fi
}

h=$tmp/hello.img

check "no arguments" "$h" hello 0 0
check "empty --" "$h" hello 1 0
check "plain" "$h" hello 1 0 a b c
check "spaces" "$h" hello 1 0 "a b" " lead" "trail " "  " "a  b"
check "empty strings" "$h" hello 1 0 "" a "" ""
check "dashes" "$h" hello 1 0 -- - --x --help -p -m --env
check "quotes" "$h" hello 1 0 "'" '"' "x'y\"z" '""' "''" "it's" '"a b"'
check "backslashes" "$h" hello 1 0 '\' '\\' '\"' 'a\ b' 'end\' "\\'" '\n'
check "whitespace controls" "$h" hello 1 0 $'tab\there' $'new\nline' \
	$'cr\rx' $'\v\f' $'\n'
check "other bytes" "$h" hello 1 0 $'\x01\x7f' $'\xff\xfe' $'\xc2\xa0' \
	'$HOME' '`id`' '*' '?' '~' '#' ';' '&&' '|' '<>' '()' '{}' '!'
check "commas and equals" "$h" hello 1 0 "a,b,,c" "=x=" "argv0=zzz" \
	"env=A=B" "k=v" "%s%n" "a=b,c=d"
check "utf-8" "$h" hello 1 0 "héllo wörld ✓" "日本語" "😀" "Ünï côdé"
check "environment" "$h" hello 1 5 "A=1" "B=two words" "C=" 'D=q"\' \
	"A=3" x
check "environment only" "$h" hello 0 3 "PATH=/bin:/usr/bin" "E=ü é" \
	'F=$x `y`'
check "env value with =" "$h" hello 0 1 "K=a=b=c"
check "image with a space" "$tmp/my app.img" "my app" 1 1 "X=1" "a b"
check "relative image" "hello.img" hello 1 0 x
long=$(printf 'x%.0s' {1..1500})
check "long argument" "$h" hello 1 0 "$long" "$long"

# uni-run refuses what the kernel could not hold (BOOT_CMDLINE_MAX)
"$uni_run" "$h" --print-cmdline -- "$long" "$long" "$long" >/dev/null 2>&1
[[ $? == 2 ]]
result "too long" $? "uni-run accepted a command line over 4096 bytes"

printf 'uni-run quoting: %d passed, %d failed\n' "$pass" "$fail"
((fail == 0))
