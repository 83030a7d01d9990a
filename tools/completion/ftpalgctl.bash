# SPDX-License-Identifier: GPL-2.0
# bash completion for ftpalgctl(8)

# The words up to the cursor split on blanks only, so that an IPv6 prefix
# ("2001:db8::/32") and "--netns=NAME" stay one word whatever
# COMP_WORDBREAKS holds: for a shell without the bash-completion package.
_ftpalgctl_words()
{
	local line=${COMP_LINE:0:COMP_POINT}
	read -ra words <<< "$line"
	[[ $line == *[[:blank:]] || ${#words[@]} -eq 0 ]] && words+=("")
	cword=$((${#words[@]} - 1))
	cur=${words[cword]}
	prev=${words[cword-1]}
}

# Bash replaces only the part of the word after the last character of
# COMP_WORDBREAKS in it (":" of an IPv6 prefix, "=" of --netns=NAME):
# strip the part before it from the candidates.
_ftpalgctl_ltrim()
{
	local word=$1 c i pre=
	for ((i = ${#word} - 1; i >= 0; i--)); do
		c=${word:i:1}
		if [[ $c != [[:blank:]] && $COMP_WORDBREAKS == *"$c"* ]]; then
			pre=${word:0:i+1}
			break
		fi
	done
	[[ -n $pre ]] || return 0
	for i in "${!COMPREPLY[@]}"; do
		COMPREPLY[i]=${COMPREPLY[i]#"$pre"}
	done
}

# The scopes of the namespace, for "unset server" and "set server".
_ftpalgctl_scopes()
{
	COMPREPLY=($(compgen -W "$(ftpalgctl "${netns[@]}" show 2>/dev/null |
		sed -n 's/^server \([^ ]*\): .*/\1/p')" -- "$cur"))
	_ftpalgctl_ltrim "$cur"
}

_ftpalgctl_completion()
{
	local cur prev words cword split
	if declare -F _init_completion >/dev/null; then
		# -n : keeps IPv6 prefixes one word, -s splits --netns=NAME
		_init_completion -s -n : || return
	else
		_ftpalgctl_words
	fi

	local commands="show set unset stats sessions expect monitor save restore help"
	local keys="active bounce min-port passive-window passive-map action"
	local i cmd= cmdi=0 netns=()

	# Skip the options to find the command (-b FILE takes none).
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n|--netns) netns=(-n "${words[i+1]}"); ((i++)) ;;
		--netns=*) netns=(-n "${words[i]#--netns=}") ;;
		-b|--batch) ((i + 1 < cword)) && cmd=-b; ((i++)) ;;
		--batch=*) cmd=-b ;;
		-*) ;;
		*) [[ $cmd == -b ]] || { cmd=${words[i]}; cmdi=$i; }; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		if [[ $cur == --netns=* ]]; then	# no bash-completion: not split
			prev=--netns
			cur=${cur#--netns=}
			COMPREPLY=($(compgen -P --netns= -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
			_ftpalgctl_ltrim "--netns=$cur"
			return
		fi
		case $prev in
		-n|--netns)
			COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
			return ;;
		-b|--batch)
			COMPREPLY=($(compgen -f -- "$cur"))
			return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j --json -p --pretty -n --netns -b --batch -h --help -V --version" -- "$cur"))
		else
			COMPREPLY=($(compgen -W "$commands" -- "$cur"))
		fi
		return
	fi

	local pos=$((cword - cmdi))	# 1: the first word after the command
	case $cmd in
	stats)
		((pos == 1)) && COMPREPLY=($(compgen -W "reset" -- "$cur"))
		;;
	restore)
		((pos == 1)) && COMPREPLY=($(compgen -f -- "$cur"))
		;;
	unset)
		((pos == 1)) && COMPREPLY=($(compgen -W "server" -- "$cur"))
		((pos == 2)) && _ftpalgctl_scopes
		;;
	set)
		# Words after "set": [server PREFIX] then KEY VALUE pairs.
		local start=$((cmdi + 1)) used= k
		if [[ ${words[start]} == server ]]; then
			((pos == 1)) && { COMPREPLY=(server); return; }
			((pos == 2)) && { _ftpalgctl_scopes; return; }
			start=$((start + 2))
		fi
		# Is $cur a key or a value?
		if ((((cword - start) % 2) == 1)); then
			case $prev in
			active|passive-map) COMPREPLY=($(compgen -W "on off" -- "$cur")) ;;
			bounce) COMPREPLY=($(compgen -W "drop allow" -- "$cur")) ;;
			action) COMPREPLY=($(compgen -W "drop reset" -- "$cur")) ;;
			passive-window) COMPREPLY=($(compgen -W "any" -- "$cur")) ;;
			esac
			return
		fi
		for ((i = start; i < cword; i += 2)); do
			used+=" ${words[i]} "
		done
		local avail=
		for k in $keys; do
			[[ $used == *" $k "* ]] || avail+=" $k"
		done
		((pos == 1)) && avail+=" server"
		COMPREPLY=($(compgen -W "$avail" -- "$cur"))
		;;
	esac
}

complete -F _ftpalgctl_completion ftpalgctl
