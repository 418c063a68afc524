#!/usr/bin/env bash
# The repository builds, tests and demos on its own: everything civic ships
# and its tests and demo read is in data/, intact, with its licence and
# attribution, and nothing refers to a data folder outside the repository.
set -uo pipefail
: "${CIVIC_TOP:?}"
cd "$CIVIC_TOP/data" || exit 1
echo "1..5"
n=0
check() { n=$((n + 1)); if [[ $1 == 0 ]]; then echo "ok $n - $2"; else echo "not ok $n - $2"; fi; }

out=$(sha256sum --quiet -c SHA256SUMS 2>&1); check $? "every file in data/ matches data/SHA256SUMS"
[[ -n $out ]] && sed 's/^/#   /' <<<"$out"
extra=$(comm -13 <(awk '{print $2}' SHA256SUMS | sort) <(find . -type f ! -name SHA256SUMS | sort))
[[ -z $extra ]]; check $? "every file in data/ is listed in data/SHA256SUMS"
[[ -n $extra ]] && sed 's/^/#   unlisted: /' <<<"$extra"
missing=0
for d in */; do
  [[ -f $d/README.md ]] && grep -qi 'licen' "$d/README.md" && grep -qiE 'attribution|contains|source:' "$d/README.md" \
    || { echo "#   $d has no README with licence and attribution"; missing=1; }
done
check $missing "each data folder has a README giving its licence and attribution"
grep -q 'Open Government Licence' README.md; check $? "data/README.md states the licence"
refs=$(cd "$CIVIC_TOP" && git grep -nI -e '\.\./shared' -- . ':!data' ':!test/data.sh' 2>/dev/null || true)
[[ -z $refs ]]; check $? "nothing in the repository reads ../shared"
[[ -n $refs ]] && sed 's/^/#   /' <<<"$refs"
exit 0
