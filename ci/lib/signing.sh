# ci/lib/signing.sh: the key that signs our RPMs and the repository metadata (sourced
# after stage.sh). docs/security.md, "Signed packages".
#
# XH_SIGNING_KEY=FILE   a release key: an OpenPGP secret key (gpg --export-secret-keys
#                       --armor), without a passphrase; imported into a private keyring
#                       under $XH_BUILD/signing/ for the build.
# otherwise             this machine's test key, in $XH_SIGNING_DIR (default
#                       /var/lib/xenhost-build/signing), generated once by the first build
#                       that needs it and kept outside the build cache, so that every
#                       build on the machine signs with the same key.
#
# The key is Ed25519 and signatures carry SOURCE_DATE_EPOCH as their time (an RPM's, its
# build time; the repository's, the commit's): EdDSA
# signatures are deterministic, so two builds of a commit with the same key give the
# same signed bytes. A key made here is dated 2020-01-01 for the same reason (a
# signature may not predate its key).

: "${XH_SIGNING_DIR:=/var/lib/xenhost-build/signing}"
XH_SIGNING_KEY_EPOCH=1577836800
XH_SIGNING_UID="Xenhost test signing key (made by the build; not for release) <signing@xenhost.invalid>"

_xh_gpg() { gpg --batch --quiet --no-tty --pinentry-mode loopback --passphrase '' "$@"; }

# xh_signing_init: sets GNUPGHOME, XH_SIGNING_FPR (the key's fingerprint) and
# XH_SIGNING_ORIGIN ("release key FILE" or "test key DIR"); generates the test key when
# there is none. Fails (1) with a message on stderr.
xh_signing_init() {
	if [ -n "${XH_SIGNING_KEY:-}" ]; then
		[ -r "$XH_SIGNING_KEY" ] || { echo "error: XH_SIGNING_KEY=$XH_SIGNING_KEY is not a readable file" >&2; return 1; }
		export GNUPGHOME="$XH_BUILD/signing/gnupg"
		rm -rf "$GNUPGHOME"; mkdir -p "$GNUPGHOME"; chmod 700 "$GNUPGHOME"
		_xh_gpg --import "$XH_SIGNING_KEY" 2> "$XH_BUILD/signing/import.log" ||
			{ echo "error: gpg cannot import the signing key $XH_SIGNING_KEY (see $XH_BUILD/signing/import.log)" >&2; return 1; }
		XH_SIGNING_ORIGIN="release key $XH_SIGNING_KEY"
	else
		export GNUPGHOME="$XH_SIGNING_DIR/gnupg"
		if ! _xh_gpg --list-secret-keys 2> /dev/null | grep -q '^sec'; then
			mkdir -p "$GNUPGHOME" && chmod 700 "$GNUPGHOME" ||
				{ echo "error: cannot make $GNUPGHOME for the test signing key; set XH_SIGNING_DIR to a writable directory" >&2; return 1; }
			_xh_gpg --faked-system-time "$XH_SIGNING_KEY_EPOCH!" --quick-gen-key "$XH_SIGNING_UID" ed25519 sign never \
				2> "$XH_SIGNING_DIR/generate.log" ||
				{ echo "error: gpg cannot generate the test signing key (see $XH_SIGNING_DIR/generate.log)" >&2; return 1; }
			echo "    signing: generated this machine's test key in $XH_SIGNING_DIR (set XH_SIGNING_KEY=FILE to sign with a release key)" >&2
		fi
		XH_SIGNING_ORIGIN="test key $XH_SIGNING_DIR"
	fi
	XH_SIGNING_FPR=$(_xh_gpg --with-colons --list-secret-keys 2> /dev/null | awk -F: '$1 == "fpr" { print $10; exit }')
	[ -n "$XH_SIGNING_FPR" ] || { echo "error: no secret key in $GNUPGHOME" >&2; return 1; }
}

# xh_sign_rpms FILE...: sign RPMs in place (rpmsign), each signature dated the RPM's own
# build time (its package's SOURCE_DATE_EPOCH), not the product's: a Xen or kernel RPM
# that the next release reuses keeps its bytes, signature included.
xh_sign_rpms() {
	local f t
	for f; do
		t=$(rpm -qp --nosignature --qf '%{BUILDTIME}' "$f" 2> /dev/null) && [ -n "$t" ] ||
			{ echo "error: cannot read the build time of $f (rpm -qp)" >&2; return 1; }
		rpmsign --define "__gpg /usr/bin/gpg" --define "_gpg_name $XH_SIGNING_FPR" --define "_gpg_path $GNUPGHOME" \
			--define "_gpg_sign_cmd_extra_args --quiet --no-tty --faked-system-time $t! --pinentry-mode loopback --passphrase ''" \
			--addsign "$f" 2>&1 | grep -v 'GPG_TTY\|faked system time\|\.rpm:$' >&2
		[ "${PIPESTATUS[0]}" = 0 ] || return 1
	done
}

# xh_sign_detached SDE FILE: FILE.asc, an armored detached signature dated SDE.
xh_sign_detached() {
	_xh_gpg --faked-system-time "$1!" --local-user "$XH_SIGNING_FPR" --armor --detach-sign --output "$2.asc" "$2" 2>&1 |
		grep -v 'faked system time' >&2
	return "${PIPESTATUS[0]}"
}

# xh_export_pubkey FILE: the public key, armored.
xh_export_pubkey() { _xh_gpg --armor --export "$XH_SIGNING_FPR" > "$1" && [ -s "$1" ]; }
