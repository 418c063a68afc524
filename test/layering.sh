#!/usr/bin/env bash
# The modules of src/ form a graph without cycles (docs/dp.md, "Layout"):
# a module is a .c file and its .h of the same name; module A depends on B
# when A's .c or .h includes B.h.  The entry point civic.c (_PG_init, which
# includes every module's header to call its init) is the root and is left
# out.  Also checks the layers the DP and budget code must keep: the ledger
# includes nothing of civic but its settings and SQLSTATEs, the parameters
# module nothing but the SQLSTATEs and the noise calibration, and no aggregate reaches the ledger.
set -u
cd "${CIVIC_TOP:-$(dirname "$0")/..}/src" || exit 1

edges=$(for f in *.c *.h; do
  [[ $f == civic.c ]] && continue
  m=${f%.*}
  sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)\.h".*/\1/p' "$f" |
    while read -r d; do [[ $d != "$m" && -e $d.h ]] && echo "$m $d"; done
done | sort -u)

n=0 fails=0
ok() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fails=$((fails + 1)); fi; }

echo "1..6"
# tsort reports a cycle on stderr ("input contains a loop")
loops=$(echo "$edges" | tsort 2>&1 >/dev/null)
ok "$([[ -z $loops ]] && echo 0 || echo 1)" "the include graph of src/ has no cycle"
[[ -n $loops ]] && echo "$loops" | sed 's/^/#   /'

deps() { echo "$edges" | awk -v m="$1" '$1 == m { print $2 }' | tr '\n' ' '; }
# everything a module reaches, transitively
reach() {
  local seen=" $1 " todo="$1" m d
  while [[ -n $todo ]]; do
    set -- $todo; m=$1; shift; todo="$*"
    for d in $(deps "$m"); do
      [[ $seen == *" $d "* ]] && continue
      seen="$seen$d "; todo="$todo $d"
    done
  done
  echo "$seen"
}
only() {  # module, allowed dependencies...: its direct deps are among them
  local m=$1 d bad=""; shift
  for d in $(deps "$m"); do [[ " $* " == *" $d "* ]] || bad="$bad $d"; done
  [[ -z $bad ]] && echo 0 || { echo "#   $m includes$bad" >&2; echo 1; }
}
ok "$(only ledger errcodes guc)" "the ledger includes nothing of civic but its settings and SQLSTATEs"
ok "$(only dp_params errcodes dp_noise plan_notes)" "the parameters module includes nothing of civic but the SQLSTATEs, the noise calibration and the plan notes"
ok "$(only plan_notes)" "the plan notes include nothing of civic"
r=$(reach dp_agg)
ok "$([[ $r != *" ledger "* && $r != *" dataset "* && $r != *" budget "* ]] && echo 0 || echo 1)" \
   "the aggregates reach neither the ledger, datasets nor the budget interface"
ok "$(only meter_hook meter dp_params dataset ledger errcodes relcache plan_notes)" \
   "the meter depends on parameters, datasets, the ledger and the plan notes only"
exit $((fails > 0))
