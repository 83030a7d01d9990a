# SPDX-License-Identifier: GPL-2.0
# bash completion for ftpalgctl(8)

_ftpalgctl_completion()
{
	local cur prev words cword
	if declare -F _init_completion >/dev/null; then
		_init_completion || return
	else
		cur=${COMP_WORDS[COMP_CWORD]}
		prev=${COMP_WORDS[COMP_CWORD-1]}
		words=("${COMP_WORDS[@]}")
		cword=$COMP_CWORD
	fi

	local commands="show set unset stats sessions expect monitor help"
	local keys="active bounce min-port passive-window passive-map action"
	local i cmd= cmdi=0

	# Skip the options to find the command.
	for ((i = 1; i < cword; i++)); do
		case ${words[i]} in
		-n|--netns) ((i++)) ;;
		-*) ;;
		*) cmd=${words[i]}; cmdi=$i; break ;;
		esac
	done

	if [[ -z $cmd ]]; then
		case $prev in
		-n|--netns)
			COMPREPLY=($(compgen -W "$(ip netns list 2>/dev/null | cut -d' ' -f1)" -- "$cur"))
			return ;;
		esac
		if [[ $cur == -* ]]; then
			COMPREPLY=($(compgen -W "-j --json -p --pretty -n --netns -h --help -V --version" -- "$cur"))
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
	unset)
		((pos == 1)) && COMPREPLY=($(compgen -W "server" -- "$cur"))
		;;
	set)
		# Words after "set": [server PREFIX] then KEY VALUE pairs.
		local start=$((cmdi + 1)) used= k
		if [[ ${words[start]} == server ]]; then
			((pos == 1)) && { COMPREPLY=(server); return; }
			((pos == 2)) && return	# PREFIX
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
