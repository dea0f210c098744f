#!/bin/sh
# Runs root's systemd user manager on a host whose PID 1 is not systemd, to
# start deploy/systemd/mcpwatch.service for real (tests/e2e/95-systemd-unit).
# Run it under `unshare --mount --propagation private`: a tmpfs on
# /run/systemd makes the manager believe the host booted with systemd
# (/run/systemd/system), so nothing of it outlives the namespace. The manager stays in the host PID namespace, which
# the agent needs (BPF reports host pids).
# The manager's runtime directory (its notify and private sockets) is
# RUNTIME_DIR, not under /run: a service with ProtectSystem=strict gets a
# fresh /run here, where /run is no mount point of its own.
# usage: systemd-user-manager.sh UNIT_DIR UNIT RUNTIME_DIR
set -eu
mkdir -p /run/systemd
mount -t tmpfs -o mode=0755 tmpfs /run/systemd
mkdir -p /run/systemd/system "$3"
mount -t tmpfs -o mode=0700 tmpfs "$3"
mkdir -p "$3/state" "$3/config" "$3/cache"
# What PID 1 makes at boot and the sandboxing options bind over hidden paths.
i=/run/systemd/inaccessible
mkdir -m 0755 $i
mkdir -m 0000 $i/dir
install -m 0000 /dev/null $i/reg
mknod -m 0000 $i/chr c 0 0
mknod -m 0000 $i/blk b 0 0
mkfifo -m 0000 $i/fifo
python3 -c 'import socket, sys; socket.socket(socket.AF_UNIX).bind(sys.argv[1])' $i/sock
chmod 0000 $i/sock
export XDG_RUNTIME_DIR="$3" XDG_STATE_HOME="$3/state" XDG_CONFIG_HOME="$3/config" \
	XDG_CACHE_HOME="$3/cache"
# The unit directory first; the trailing colon keeps systemd's own targets.
export SYSTEMD_UNIT_PATH="$1:"
# The manager logs to /dev/console, not stderr: silent unless asked for.
export SYSTEMD_LOG_TARGET=${SYSTEMD_LOG_TARGET:-null} SYSTEMD_LOG_LEVEL=${SYSTEMD_LOG_LEVEL:-notice}

# A cgroup of its own: a manager moves every process of the cgroup it starts
# in to <cgroup>/init.scope, and the test's cgroup may be the host's root.
# cgroup v2, or v1 with a unified and a name=systemd hierarchy (hybrid).
cgroups=
for h in /sys/fs/cgroup /sys/fs/cgroup/unified /sys/fs/cgroup/systemd; do
	if [ "$h" = /sys/fs/cgroup ]; then
		[ -e $h/cgroup.controllers ] || continue
		rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
	elif [ "$h" = /sys/fs/cgroup/unified ]; then
		[ -e $h/cgroup.controllers ] || continue
		rel=$(sed -n 's/^0:://p' /proc/self/cgroup)
	else
		[ -e $h/cgroup.procs ] || continue
		rel=$(sed -n 's/^[0-9]*:name=systemd://p' /proc/self/cgroup)
	fi
	cg="$h${rel%/}/mcpwatch-e2e-$$"
	mkdir "$cg"
	cgroups="$cgroups $cg"
	echo $$ >"$cg/cgroup.procs"
done
[ -n "$cgroups" ] || { echo "no cgroup hierarchy found" >&2; exit 1; }

/lib/systemd/systemd --user --unit="$2" &
manager=$!
trap 'kill -TERM $manager 2>/dev/null' TERM INT
status=0
wait $manager || status=$?
# After a signal, wait returns at once: wait again for the manager's exit.
while kill -0 $manager 2>/dev/null; do wait $manager || status=$?; done
for cg in $cgroups; do
	echo $$ >"${cg%/mcpwatch-e2e-$$}/cgroup.procs"
	find "$cg" -depth -type d -exec rmdir {} + 2>/dev/null || true
done
exit $status
