# apt_get ARGS...: apt-get that waits for the package manager's lock instead of failing when
# another install holds it (unattended-upgrades, a second CI job, a person's apt). Sourced by
# scripts/test.sh.
#
# apt-get's own DPkg::Lock::Timeout waits for dpkg's lock; a lock it does not wait for (the
# package lists' during `apt-get update`, or an apt too old for the option) makes it fail with
# "Could not get lock": that failure is retried every NEWSBRIEF_APT_LOCK_POLL seconds (5) until
# NEWSBRIEF_APT_LOCK_WAIT seconds (600) have passed. Any other failure is returned at once.
apt_get() {
  local limit="${NEWSBRIEF_APT_LOCK_WAIT:-600}" poll="${NEWSBRIEF_APT_LOCK_POLL:-5}"
  local start output status
  start=$(date +%s)
  while true; do
    status=0
    output="$(apt-get -o DPkg::Lock::Timeout="$limit" "$@" 2>&1)" || status=$?
    if [ "$status" = 0 ]; then
      [ -z "$output" ] || printf '%s\n' "$output"
      return 0
    fi
    if ! grep -qiE "could not get lock|unable to acquire the dpkg frontend lock" <<<"$output" \
      || [ $(($(date +%s) - start)) -ge "$limit" ]; then
      printf '%s\n' "$output" >&2
      return "$status"
    fi
    printf '== waiting for the package manager lock (%s s so far)\n' "$(($(date +%s) - start))" >&2
    sleep "$poll"
  done
}
