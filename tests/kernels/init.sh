#!/bin/sh
# /init of the qemu guest built by tests/kernels/run-qemu.sh (busybox sh).
# Mounts what the sensor needs, runs the sensor test with the probed file
# backend and with raw_tp pinned, runs the agent against a small workload,
# prints each result between ===MW-BEGIN x=== / ===MW-END x=== markers on
# the serial console, and powers off.

/usr/bin/busybox --install -s
export PATH=/usr/bin:/usr/sbin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mount -t debugfs debugfs /sys/kernel/debug
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
mount -t bpf bpf /sys/fs/bpf
mount -t cgroup2 cgroup2 /sys/fs/cgroup
hostname qemu-guest
# The socket tests listen on and connect to loopback (IPv4 and IPv6).
ip link set lo up

expect=fexit
for arg in $(cat /proc/cmdline); do
	case "$arg" in
	mw_expect=*) expect=${arg#mw_expect=} ;;
	esac
done

begin() {
	echo "===MW-BEGIN $1==="
}

end() {
	echo "===MW-END $1==="
}

# The agent for a few seconds with the demo server; proginfo while it runs.
run_agent() {
	tag=$1
	mcpwatch run -v >/tmp/run.out 2>/tmp/run.err &
	mw=$!
	i=0
	while [ $i -lt 120 ] && ! grep -q '"event":"ready"' /tmp/run.out; do
		sleep 0.5
		i=$((i + 1))
	done
	begin "progs-$tag"
	proginfo
	end "progs-$tag"
	if [ "$tag" = default ]; then
		# Sleep first: the agent must see the exec and track the tree.
		: | mcp-server-demo -c 'sleep 3; cat /root/.ssh/id_rsa >/dev/null; sleep 1' |
			cat >/dev/null
		sleep 2
	fi
	kill -INT $mw
	wait $mw
	echo "exit status $?" >>/tmp/run.err
	begin "run-$tag"
	cat /tmp/run.out /tmp/run.err
	end "run-$tag"
}

# A fresh line: the console's first one starts with the BIOS's escape codes.
echo
begin uname
uname -a
end uname

begin sensor-default
MW_EXPECT_FILE_BACKEND=$expect test_sensor_bpf 2>&1
echo "exit status $?"
end sensor-default

begin sensor-raw_tp
MCPWATCH_FILE_BACKEND=raw_tp MW_EXPECT_FILE_BACKEND=raw_tp test_sensor_bpf 2>&1
echo "exit status $?"
end sensor-raw_tp

run_agent default
MCPWATCH_FILE_BACKEND=raw_tp run_agent raw_tp

begin dmesg-bpf
dmesg | grep -i -e bpf -e lockdown -e btf | tail -n 20
end dmesg-bpf

sync
poweroff -f
# If ACPI power-off is missing, exiting init panics, and panic=-1 with
# qemu -no-reboot ends the run.
exit 1
