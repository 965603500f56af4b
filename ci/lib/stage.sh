# ci/lib/stage.sh: what every build stage shares (sourced, POSIX-ish bash).
#
# A stage turns inputs into a directory of outputs. Its key is the sha256 of all its
# inputs; its outputs are kept in $XH_CACHE/<stage>/<key>/ so that a stage whose inputs
# did not change is a cache hit, also from a fresh clone on the same machine.
# Every stage prints one line when it ends: name, hit or miss, key, duration.

set -o pipefail

: "${XH_TOP:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${XH_BUILD:=$XH_TOP/build}"
: "${XH_CACHE:=/var/cache/xenhost}"
export XH_TOP XH_BUILD XH_CACHE

xh_die() { echo "error: $*" >&2; exit 1; }
xh_log() { echo "    $*" >&2; }
xh_now() { date +%s.%N; }
xh_elapsed() { awk -v a="$1" -v b="$(xh_now)" 'BEGIN { printf "%.1f s", b - a }'; }

# The release and the timestamp every build output carries: from VERSION's commit, so
# that two builds of one commit agree to the byte.
xh_version() { tr -d ' \n' < "$XH_TOP/VERSION"; }
xh_source_date_epoch() {
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then echo "$SOURCE_DATE_EPOCH"; return; fi
	local t
	t=$(git -C "$XH_TOP" log -1 --format=%ct -- VERSION 2>/dev/null || true)
	[ -n "$t" ] || t=$(git -C "$XH_TOP" log -1 --format=%ct 2>/dev/null || true)
	echo "${t:-1700000000}"
}

# xh_inputs_epoch PATH...: the time of the last commit that changed any of the paths
# (a package's own SOURCE_DATE_EPOCH, so that a package whose inputs did not change gets
# the same bytes in the next release); outside git, VERSION's as above.
xh_inputs_epoch() {
	local t
	if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then echo "$SOURCE_DATE_EPOCH"; return; fi
	t=$(git -C "$XH_TOP" log -1 --format=%ct -- "$@" 2>/dev/null || true)
	[ -n "$t" ] || t=$(xh_source_date_epoch)
	echo "$t"
}

# xh_input_files PATH...: the files under the named paths that make up the source:
# in a git checkout what git tracks or would track (not ignored build products),
# elsewhere every file. Sorted, relative to the top.
xh_input_files() {
	(cd "$XH_TOP" || exit 1
	for p in "$@"; do
		[ -e "$p" ] || xh_die "stage input '$p' does not exist (in $XH_TOP)"
	done
	if git rev-parse --is-inside-work-tree > /dev/null 2>&1; then
		git ls-files --cached --others --exclude-standard -- "$@" |
			while IFS= read -r f; do [ -e "$f" ] || [ -L "$f" ] && echo "$f"; done
	else
		find "$@" \( -type f -o -type l \) -print
	fi | LC_ALL=C sort -u)
}

# xh_hash_inputs PATH...: one sha256 over the input files under the named paths (paths,
# contents, and the executable bit).
xh_hash_inputs() {
	xh_input_files "$@" | (cd "$XH_TOP" && while IFS= read -r f; do
		if [ -L "$f" ]; then printf 'L %s %s\n' "$f" "$(readlink "$f")"
		else printf 'F %s %s %s\n' "$f" "$(test -x "$f" && echo x || echo -)" \
			"$(sha256sum < "$f" | cut -c1-64)"
		fi
	done) | sha256sum | cut -c1-64
}

# xh_key STRING...: the key of a stage from its parts (hashes, versions, options).
xh_key() { printf '%s\n' "$@" | sha256sum | cut -c1-16; }

# xh_stage NAME KEY DEST FUNCTION [ARGS...]
# If $XH_CACHE/NAME/KEY holds a finished result, copy it to DEST (a directory) and
# report a hit. Otherwise run FUNCTION ARGS with $XH_OUT set to an empty directory;
# when it succeeds, publish its contents to the cache (atomically) and to DEST.
# A failing FUNCTION leaves neither cache entry nor DEST behind.
xh_stage() {
	# Locals carry a prefix: FUNCTION runs in this scope (bash scoping is dynamic) and
	# must see its caller's variables, not ours.
	local _st_name=$1 _st_key=$2 _st_dest=$3 _st_fn=$4; shift 4
	local _st_slot="$XH_CACHE/${_st_name//\//-}/$_st_key" _st_t0 _st_rc _st_tmp
	_st_t0=$(xh_now)
	if [ -f "$_st_slot/.done" ]; then
		xh_publish "$_st_slot" "$_st_dest"
		printf '==> %-22s cache hit   key %s  %s\n' "$_st_name" "$_st_key" "$(xh_elapsed "$_st_t0")"
		return 0
	fi
	printf '==> %-22s cache miss  key %s  building...\n' "$_st_name" "$_st_key"
	mkdir -p "$XH_CACHE/${_st_name//\//-}"
	_st_tmp="$_st_slot.tmp.$$"
	rm -rf "$_st_tmp"; mkdir -p "$_st_tmp"
	XH_OUT=$_st_tmp "$_st_fn" "$@"; _st_rc=$?
	if [ $_st_rc -ne 0 ]; then
		rm -rf "$_st_tmp"
		printf '==> %-22s FAILED      key %s  %s\n' "$_st_name" "$_st_key" "$(xh_elapsed "$_st_t0")"
		return $_st_rc
	fi
	# the marker records how long the build took, when and where (make bench reads it)
	awk -v a="$_st_t0" -v b="$(xh_now)" -v d="$(date -u +%FT%TZ)" -v h="$(nproc) CPUs" \
		'BEGIN { printf "seconds=%.1f\nbuilt=%s\nmachine=%s\n", b - a, d, h }' > "$_st_tmp/.done"
	rm -rf "$_st_slot"; mv "$_st_tmp" "$_st_slot"
	xh_publish "$_st_slot" "$_st_dest"
	printf '==> %-22s built       key %s  %s\n' "$_st_name" "$_st_key" "$(xh_elapsed "$_st_t0")"
}

# xh_publish SLOT DEST: DEST becomes a copy of SLOT (without the marker), replaced whole.
xh_publish() {
	local slot=$1 dest=$2
	mkdir -p "$(dirname "$dest")"
	rm -rf "$dest.new"
	cp -a "$slot" "$dest.new" && rm -f "$dest.new/.done" && rm -rf "$dest" && mv "$dest.new" "$dest"
}

# xh_run_logged LABEL LOG CMD...: run CMD with its output in LOG, printing a progress
# line every minute (elapsed time and the log's last line); on failure show the log's
# tail and say where the whole log is.
xh_run_logged() {
	local label=$1 log=$2; shift 2
	mkdir -p "$(dirname "$log")"
	local t0 pid ticker rc
	t0=$(xh_now)
	"$@" > "$log" 2>&1 &
	pid=$!
	( while sleep 60; do
		printf '    %s: %s, %s\n' "$label" "$(xh_elapsed "$t0")" \
			"$(tail -n 1 "$log" 2>/dev/null | cut -c1-90)"
	  done ) &
	ticker=$!
	wait "$pid"; rc=$?
	kill "$ticker" 2>/dev/null; wait "$ticker" 2>/dev/null
	if [ $rc -ne 0 ]; then
		echo "---- last lines of $log ----" >&2
		tail -n 40 "$log" >&2
		echo "---- $label failed (exit $rc); the whole log is $log ----" >&2
	fi
	return $rc
}

# xh_require_debs PKG...: every named Debian package must be installed.
xh_require_debs() {
	local missing=() have p
	have=" $(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
		awk '$NF == "installed" && $(NF-1) == "ok" { printf "%s ", $1 }')"
	for p in "$@"; do
		case $have in *" $p "*) ;; *) missing+=("$p") ;; esac
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "error: missing build dependencies: ${missing[*]}" >&2
	echo "       run 'make deps' (installs everything listed in ci/deps.txt)" >&2
	return 1
}
