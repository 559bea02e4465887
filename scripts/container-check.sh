#!/usr/bin/env bash
# Proves the Dockerfile without a Docker engine (there is none on our machines):
#   1. lint: hadolint, failing on every finding (inline ignores in the Dockerfile carry reasons);
#   2. build: the build stage's `swift build` with its exact flags (read from the Dockerfile),
#      stripped like the build stage does;
#   3. rootfs: `debootstrap --variant=minbase <suite>` (the runtime stage's base, Debian's
#      bookworm-slim) and then the runtime stage replayed step by step from the Dockerfile
#      (scripts/dockerfile-steps.py): its RUN lines run under chroot (so exactly its
#      `apt-get install` packages and its user), its COPY/ENV/WORKDIR/USER/VOLUME applied;
#   4. run: the ENTRYPOINT + CMD started under chroot as the image's USER, in the WORKDIR
#      with the image's ENV (except DENSE_HOST=127.0.0.1 and DENSE_PORT=0, as `docker run -e`
#      would), the root filesystem mounted read-only and only the VOLUMEs writable (as the
#      Kubernetes manifest runs it); then `ldd` inside the rootfs (every library found, every
#      installed runtime package needed), the HEALTHCHECK command inside the chroot, a real
#      inference, a PUT into the volume and GET /openapi.yaml from the host over loopback,
#      SIGTERM: the healthcheck turns unhealthy at once and the server exits 0.
#
# The debootstrap'ed base and the rootfs after the runtime stage's RUN steps (keyed by the
# hash of those steps, so by the package list) are cached in $DENSE_ROOTFS_CACHE
# (default .cache/rootfs). A first run on a fresh machine downloads ~60 MB of .debs
# (debootstrap ~45 s here, the RUN steps ~20 s); the release build takes ~2 min on 2 cores.
#
# Usage: scripts/container-check.sh [--lint-only]      (root; Debian/Ubuntu host)
# Env:   SWIFT_SCRATCH_PATH (default .build), DENSE_ROOTFS_CACHE, DEBOOTSTRAP_MIRROR.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
scratch=${SWIFT_SCRATCH_PATH:-.build}
cache=${DENSE_ROOTFS_CACHE:-$repo/.cache/rootfs}
dockerfile=$repo/Dockerfile
stage=runtime
started=$SECONDS
phase_started=$SECONDS

log() { printf 'container-check: %s\n' "$*" >&2; }
die() { log "FAIL: $*"; exit 1; }
phase() { log "$1 ($((SECONDS - phase_started)) s)"; phase_started=$SECONDS; }

# ---- 1. lint -------------------------------------------------------------------------------
venv=$(scripts/tools-venv.sh)
"$venv/bin/hadolint" --failure-threshold style "$dockerfile" || die "hadolint found problems in the Dockerfile"
# The replay refuses what it cannot reproduce (shell-form ENTRYPOINT, ADD, variables, …).
steps=$(python3 scripts/dockerfile-steps.py "$dockerfile" "$stage") || die "the runtime stage cannot be replayed"
swift_args=$(python3 scripts/dockerfile-steps.py "$dockerfile" build --swift-build) || die "no swift build in the build stage"
phase "lint: hadolint clean, runtime stage parsed"
[ "${1:-}" = "--lint-only" ] && exit 0

[ "$(id -u)" = 0 ] || die "needs root (debootstrap, chroot, mount)"

# ---- 2. build ------------------------------------------------------------------------------
scripts/ensure-deps.sh
build_image=$(python3 scripts/dockerfile-steps.py "$dockerfile" build | sed -n "s/^df_from //p" | tr -d "'")
want_swift=${build_image#*:}
want_swift=${want_swift%%-*}
have_swift=$(swift --version 2>/dev/null | sed -n 's/.*Swift version \([0-9.]*\).*/\1/p' | head -1)
case "$have_swift" in
  "$want_swift" | "$want_swift".*) ;;
  *) die "the build stage uses $build_image but this toolchain is Swift $have_swift" ;;
esac
eval "swift_argv=($swift_args)"
log "building: swift ${swift_argv[*]} --scratch-path $scratch"
swift "${swift_argv[@]}" --scratch-path "$scratch" >&2
binary="$(swift build -c release --scratch-path "$scratch" --show-bin-path)/dense-server"
[ -x "$binary" ] || die "no binary at $binary"
phase "build: swift ${swift_argv[*]}"

# ---- 3. rootfs -----------------------------------------------------------------------------
command -v debootstrap >/dev/null 2>&1 || {
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap >/dev/null
}

base_image=$(sed -n "s/^df_from //p" <<<"$steps" | tr -d "'")
case "$base_image" in
  debian:*-slim) suite=${base_image#debian:}; suite=${suite%-slim} ;;
  *) die "the runtime stage's base $base_image is not debian:<suite>-slim" ;;
esac
arch=$(dpkg --print-architecture)
mkdir -p "$cache"
work=$(mktemp -d "$cache/run.XXXXXX")
mnt=$work/root
server_pid=
mounted=()

cleanup() {
  local status=$?
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then kill -KILL "$server_pid" 2>/dev/null || true; fi
  local i
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do
    umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}" 2>/dev/null || true
  done
  # Anything a failed step left mounted below the work folder. (Here-strings, not pipes, into
  # `grep -q`: it exits at the first match, and under pipefail the writer's SIGPIPE would fail
  # the test even though it matched.)
  if grep -q "^$work/" <<<"$(findmnt -rn -o TARGET)"; then
    findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r -n1 umount -l 2>/dev/null || true
  fi
  if grep -q "^$work/" <<<"$(findmnt -rn -o TARGET)"; then
    log "mounts remain under $work; not deleting it"
  else
    rm -rf "$work"
  fi
  [ "$status" = 0 ] || log "failed after $((SECONDS - started)) s"
  exit "$status"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mount_at() { # mount_at TARGET ARGS... — records TARGET for cleanup
  local target=$1
  shift
  mount "$@" "$target"
  mounted+=("$target")
}

# The base: debootstrap once, then reused.
base=$cache/base-$suite-minbase-$arch
if [ ! -d "$base" ]; then
  log "debootstrap --variant=minbase $suite (first run only; ~1 min)"
  rm -rf "$base.tmp"
  debootstrap --variant=minbase --arch="$arch" "$suite" "$base.tmp" ${DEBOOTSTRAP_MIRROR:+"$DEBOOTSTRAP_MIRROR"} >"$work/debootstrap.log" 2>&1 \
    || { tail -20 "$work/debootstrap.log" >&2; die "debootstrap failed"; }
  # Like the Debian images, take updates and security fixes: use this host's deb822 sources
  # when it runs the same suite, else keep debootstrap's.
  if [ -f /etc/apt/sources.list.d/debian.sources ] && grep -q "^Suites: *$suite\b" /etc/apt/sources.list.d/debian.sources; then
    cp /etc/apt/sources.list.d/debian.sources "$base.tmp/etc/apt/sources.list.d/debian.sources"
    rm -f "$base.tmp/etc/apt/sources.list"
  fi
  mv "$base.tmp" "$base"
  phase "rootfs: debootstrap $suite"
fi

# Replays the runtime stage. Steps before the first COPY are cached in "prepared"; when the
# cache is hit they run in "state" mode (ENV/WORKDIR/USER only).
env_keys=()
env_values=()
workdir=/
user=root
volumes=()
packages=()
healthcheck=()
entrypoint=()
cmd=()
mode=exec
target=

container_env() { # the environment a process in the container gets (docker adds PATH/HOME)
  local home i
  home=$(chroot "$target" getent passwd "${user%%:*}" | cut -d: -f6 || true)
  printf '%s\n' "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin" "HOME=${home:-/}"
  for i in "${!env_keys[@]}"; do printf '%s=%s\n' "${env_keys[$i]}" "${env_values[$i]}"; done
}
container_cmd() { # container_cmd [ENV=VALUE...] -- ARGV...: sets ccmd to run ARGV as USER in WORKDIR
  local extra=()
  while [ "$1" != "--" ]; do extra+=("$1"); shift; done
  shift
  local environment
  mapfile -t environment < <(container_env)
  ccmd=(chroot --userspec="$user" "$target" /usr/bin/env -i -C "$workdir" "${environment[@]}" "${extra[@]}" "$@")
}
in_container() { container_cmd "$@"; "${ccmd[@]}"; }

df_from() { :; }
df_packages() { packages+=("$@"); }
df_run() {
  [ "$mode" = exec ] || return 0
  log "RUN $1"
  cp /etc/resolv.conf "$target/etc/resolv.conf"
  mount_at "$target/proc" -t proc proc
  in_container -- /bin/sh -c "$1" >"$work/run.log" 2>&1 || { tail -30 "$work/run.log" >&2; die "RUN failed: $1"; }
  umount "$target/proc"
  unset 'mounted[${#mounted[@]}-1]'
}
df_workdir() {
  case "$1" in /*) workdir=$1 ;; *) workdir=$workdir/$1 ;; esac
  [ "$mode" = exec ] && mkdir -p "$target$workdir"
  return 0
}
df_copy() {
  local from=$1 dest=$2 src
  shift 2
  case "$dest" in /*) ;; *) dest=${workdir%/}/${dest#./} ;; esac
  for src in "$@"; do
    if [ -n "$from" ]; then
      # The build stage's only product: its `swift build`, which step 2 ran with the same flags.
      [ "$from:$src" = "build:/out/dense-server" ] || die "COPY --from=$from $src is not produced by the replayed build"
      install -D -m 0755 "$binary" "$target$dest"
      strip "$target$dest"
    else
      [ -e "$repo/$src" ] || die "COPY source $src is missing"
      mkdir -p "$(dirname "$target$dest")"
      cp -a "$repo/$src" "$target$dest"
      chown -R 0:0 "$target$dest"
    fi
    log "COPY ${from:+--from=$from }$src $dest"
  done
}
df_env() { env_keys+=("$1"); env_values+=("$2"); }
df_volume() { volumes+=("$1"); [ "$mode" = exec ] && mkdir -p "$target$1"; return 0; }
df_user() { user=$1; }
df_expose() { :; }
df_stopsignal() { [ "$1" = SIGTERM ] || die "STOPSIGNAL is $1; the drain is triggered by SIGTERM"; }
df_healthcheck() { healthcheck=("$@"); }
df_entrypoint() { entrypoint=("$@"); }
df_cmd() { cmd=("$@"); }

prefix=$(awk '/^df_copy /{exit} {print}' <<<"$steps")
rest=$(awk 'found || /^df_copy /{found=1; print}' <<<"$steps")
key=$(printf '%s\n%s\n' "$base" "$prefix" | sha256sum | cut -c1-16)
prepared=$cache/prepared-$key
if [ ! -d "$prepared" ]; then
  log "preparing the rootfs (runtime stage up to its first COPY; cached as $(basename "$prepared"))"
  rm -rf "$prepared.tmp"
  cp -a "$base" "$prepared.tmp"
  target=$prepared.tmp
  eval "$prefix"
  mv "$prepared.tmp" "$prepared"
  # Older preparations (another package list) are stale.
  find "$cache" -maxdepth 1 -name 'prepared-*' ! -name "prepared-$key" -exec rm -rf {} +
  phase "rootfs: RUN steps replayed (packages: ${packages[*]})"
else
  target=$prepared
  mode=state
  eval "$prefix"
  mode=exec
fi
cp -a "$prepared" "$work/rootfs"
target=$work/rootfs
eval "$rest"
phase "rootfs: $(basename "$prepared") + COPY/ENV/USER steps (packages: ${packages[*]})"

# ---- 4. run --------------------------------------------------------------------------------
[ ${#entrypoint[@]} -gt 0 ] || die "no ENTRYPOINT"
[ ${#healthcheck[@]} -gt 0 ] || die "no HEALTHCHECK"
[ "$user" != root ] && [ "${user%%:*}" != 0 ] || die "the image runs as root"

# Read-only root, writable volumes, fresh /tmp, /proc: how the Kubernetes manifest runs it.
mkdir -p "$mnt"
mount_at "$mnt" --bind "$work/rootfs"
mount -o remount,bind,ro "$mnt"
for volume in "${volumes[@]}"; do mount_at "$mnt$volume" --bind "$work/rootfs$volume"; done
mount_at "$mnt/proc" -t proc proc
mount_at "$mnt/tmp" -t tmpfs -o size=64m,mode=1777 tmpfs
target=$mnt
if touch "$mnt/etc/denseserve-rw-probe" 2>/dev/null; then die "the root filesystem is not read-only"; fi

# Every library ldd lists resolves inside the rootfs, and every runtime package is needed.
program=$(chroot "$mnt" /bin/sh -c "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin; command -v '${entrypoint[0]}'") \
  || die "ENTRYPOINT ${entrypoint[0]} is not in the image"
ldd_out=$(chroot "$mnt" ldd "$program") || die "ldd failed"
log "ldd $program:"
sed 's/^/    /' <<<"$ldd_out" >&2
grep -q "not found" <<<"$ldd_out" && die "libraries missing in the runtime image"
needed_packages=()
while read -r path; do
  real=$(chroot "$mnt" readlink -f "$path")
  owner=$(chroot "$mnt" dpkg-query -S "$real" 2>/dev/null || chroot "$mnt" dpkg-query -S "${real#/usr}" 2>/dev/null || true)
  needed_packages+=("${owner%%:*}")
done < <(awk '/=>/ {print $3} !/=>/ && $1 ~ /^\// {print $1}' <<<"$ldd_out")
log "packages providing them: $(printf '%s\n' "${needed_packages[@]}" | sort -u | tr '\n' ' ')"
for package in "${packages[@]}"; do
  # A here-string: with a pipe, grep -q's early exit sent printf SIGPIPE, and pipefail failed a
  # package that was listed (seen in .ci/run: libopenblas0-pthread, the first of the list).
  grep -qx "$package" <<<"$(printf '%s\n' "${needed_packages[@]}")" || die "runtime package $package provides no library ldd lists"
done

log "starting: ${entrypoint[*]} ${cmd[*]} as $user in $workdir (DENSE_HOST=127.0.0.1 DENSE_PORT=0)"
run_started=$SECONDS
container_cmd DENSE_HOST=127.0.0.1 DENSE_PORT=0 -- "${entrypoint[@]}" "${cmd[@]}"
: >"$work/stdout"
"${ccmd[@]}" >"$work/stdout" 2>"$work/stderr" & # chroot execs env, env execs the server: one pid
server_pid=$!
port=
for _ in $(seq 1 300); do
  port=$(sed -n 's|^listening on http://127\.0\.0\.1:\([0-9]*\)$|\1|p' "$work/stdout")
  [ -n "$port" ] && break
  kill -0 "$server_pid" 2>/dev/null || break
  sleep 0.1
done
[ -n "$port" ] || { cat "$work/stderr" >&2; die "the server printed no listening line"; }
log "$(cat "$work/stdout")"
uid=$(awk '/^Uid:/ {print $2}' "/proc/$server_pid/status")
[ "$uid" = "${user%%:*}" ] || die "the server runs as uid $uid, not $user"

# What the image's HEALTHCHECK runs, inside the container (DENSE_PORT as it would be set).
in_container DENSE_PORT="$port" -- "${healthcheck[@]}" || die "HEALTHCHECK ${healthcheck[*]} failed"
log "HEALTHCHECK ${healthcheck[*]}: exit 0"

base_url=http://127.0.0.1:$port
scripts/ensure-deps.sh --test >/dev/null
input=$(python3 -c 'import json; print(json.dumps({"input": {"shape": [1, 20, 5], "data": [0.5] * 100}}))')
predicted=$(curl -sS --max-time 10 -w '\n%{http_code}' -H 'Content-Type: application/json' -d "$input" "$base_url/v1/models/seed/predict")
[ "$(tail -1 <<<"$predicted")" = 200 ] || die "inference on the seed model: $predicted"
python3 -c 'import json,sys; o=json.loads(sys.argv[1])["output"]; assert o["shape"]==[1,20,10], o["shape"]' "$(head -n -1 <<<"$predicted")" \
  || die "inference returned a wrong shape"
log "POST /v1/models/seed/predict: 200, output shape [1, 20, 10]"
put=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code}' -X PUT -H 'Content-Type: application/json' \
  -d '{"layer": {"units": 2, "seed": 1}, "input_shape": [null, 3]}' "$base_url/v1/models/check")
[ "$put" = 201 ] || die "PUT /v1/models/check answered $put (is the model volume writable?)"
[ -n "$(ls -A "$work/rootfs${volumes[0]}/check" 2>/dev/null)" ] || die "the PUT model is not in the volume ${volumes[0]}"
log "PUT /v1/models/check: 201, stored in the volume ${volumes[0]}"
spec=$(curl -sS --max-time 10 -o /dev/null -w '%{http_code} %{content_type}' "$base_url/openapi.yaml")
[ "${spec%% *}" = 200 ] || die "GET /openapi.yaml answered $spec"
log "GET /openapi.yaml: $spec"

kill -TERM "$server_pid"
terminated=$SECONDS
if in_container DENSE_PORT="$port" -- "${healthcheck[@]}" 2>/dev/null; then die "still healthy after SIGTERM"; fi
log "SIGTERM: HEALTHCHECK now exits 1 (draining)"
status=
for _ in $(seq 1 600); do
  if ! kill -0 "$server_pid" 2>/dev/null; then
    wait "$server_pid" && status=0 || status=$?
    break
  fi
  sleep 0.1
done
[ -n "$status" ] || die "the server did not exit within 60 s of SIGTERM"
server_pid=
[ "$status" = 0 ] || { tail -20 "$work/stderr" >&2; die "the server exited $status after SIGTERM"; }
log "exit 0, $((SECONDS - terminated)) s after SIGTERM (ran $((SECONDS - run_started)) s)"
if grep -E '^[0-9TZ:.-]+ (error|critical) ' "$work/stderr" >&2; then die "the server logged errors"; fi
phase "run: chroot as $user, read-only root, healthcheck + inference + PUT + drain"
log "OK in $((SECONDS - started)) s"
