# Sourced by scripts/setup.sh and scripts/setup-lavapipe.sh (which define say and die): root,
# Debian packages, and single packages downloaded from another Debian suite without touching the
# machine's own apt configuration.

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root (or sudo) to run: $*"; fi
}

# install_missing PACKAGE...: installs those not installed yet; says so when all are.
install_missing() {
  local missing=()
  for p in "$@"; do
    # npm may come from another node distribution; only require it when absent.
    if [ "$p" = npm ] && command -v npm >/dev/null; then continue; fi
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  if [ "${#missing[@]}" -eq 0 ]; then say "Debian packages: all present"; return; fi
  say "installing Debian packages: ${missing[*]}"
  as_root apt-get update -qq || die "apt-get update failed"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" \
    || die "apt-get install failed for: ${missing[*]}"
}

apt_base_uri() {
  # The archive URI this machine already uses, read from its own apt configuration.
  apt-get indextargets --format '$(URI)' 2>/dev/null | grep -m1 -o '^.*/dists/' | sed 's#/dists/$##'
}

# download_from_suite SUITE DIR PACKAGE...: the packages' .debs from Debian SUITE into DIR, through
# a private package list (the system's sources and lists stay as they are).
download_from_suite() {
  local suite=$1 dest=$2; shift 2
  local uri; uri=$(apt_base_uri)
  [ -n "$uri" ] || die "cannot read a Debian archive URI from the apt configuration"
  local tmp; tmp=$(mktemp -d)
  mkdir -p "$tmp/lists/partial" "$dest"
  echo "deb [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $uri $suite main" >"$tmp/sources.list"
  local o=(-o "Dir::Etc::SourceList=$tmp/sources.list" -o "Dir::Etc::SourceParts=/dev/null" -o "Dir::State::Lists=$tmp/lists"
           -o "Debug::NoLocking=1" -o "APT::Sandbox::User=root")
  local err pkgs=()
  for p in "$@"; do pkgs+=("$p/$suite"); done
  # --error-on=any: a failed fetch is otherwise only a warning.
  err=$(apt-get "${o[@]}" update -qq --error-on=any 2>&1 >/dev/null) \
    || { rm -rf "$tmp"; die "apt-get update for Debian $suite failed: $(head -1 <<<"$err")"; }
  err=$(cd "$dest" && apt-get "${o[@]}" download -qq "${pkgs[@]}" 2>&1 >/dev/null) \
    || { rm -rf "$tmp"; die "could not download $* from Debian $suite: $(head -1 <<<"$err")"; }
  rm -rf "$tmp"
}
