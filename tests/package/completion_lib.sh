# complete_words SCRIPT WORD...: what the bash completion SCRIPT offers for the last
# WORD (the first word is the foobarctl binary), one per line.
complete_words() {
  local script=$1
  shift
  bash -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); _foobarctl
           printf "%s\n" "${COMPREPLY[@]}"' _ "$script" "$@"
}
