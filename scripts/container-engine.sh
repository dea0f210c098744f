# Sourced by scripts/image.sh and tests/image/run.sh (bash): which container
# engine to use, and the options of `build` and `run` this host needs.
#   engine_pick          sets ENGINE: $ENGINE when set, else podman, else docker
#                        when its daemon answers
#   engine_probe IMAGE   sets ENGINE_GLOBAL (options before the command) and
#                        ENGINE_OPTS (options of `build` and `run`), both arrays,
#                        by starting `true` in IMAGE and adding what the errors
#                        ask for, at most twice
# Use: "$ENGINE" "${ENGINE_GLOBAL[@]}" run "${ENGINE_OPTS[@]}" ...

engine_pick() {
	if [ -n "${ENGINE:-}" ]; then
		return 0
	elif command -v podman >/dev/null 2>&1; then
		ENGINE=podman
	elif command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; then
		ENGINE=docker
	else
		echo "no container engine: install podman (scripts/deps.sh does), or start docker" >&2
		return 1
	fi
}

# Two things stop podman on some hosts, both fixed by options, never by
# changing the host:
# - crun, podman's default runtime, refuses a cgroup v1 host whose cgroup v2
#   hierarchy also holds a controller ("hybrid mode"); runc runs there.
# - rootful podman raises RLIMIT_NOFILE and RLIMIT_NPROC to 1048576, which
#   needs CAP_SYS_RESOURCE; where the engine runs without it (a sandboxed CI
#   machine), the container keeps this shell's limits (no process count above
#   pid_max anyway).
engine_probe() {
	local image=$1 err tries=0
	ENGINE_GLOBAL=() ENGINE_OPTS=()
	while ! err=$("$ENGINE" "${ENGINE_GLOBAL[@]}" run --rm "${ENGINE_OPTS[@]}" --entrypoint /bin/true "$image" 2>&1); do
		tries=$((tries + 1))
		case "$err" in
		*"hybrid mode not supported"*)
			command -v runc >/dev/null 2>&1 || {
				echo "engine: crun cannot run on this cgroup hybrid host and runc is missing (scripts/deps.sh installs it)" >&2
				return 1
			}
			ENGINE_GLOBAL+=(--runtime runc)
			;;
		*rlimit*)
			local nproc pid_max
			nproc=$(ulimit -Hu)
			pid_max=$(cat /proc/sys/kernel/pid_max)
			if [ "$nproc" = unlimited ] || [ "$nproc" -gt "$pid_max" ]; then nproc=$pid_max; fi
			ENGINE_OPTS+=(--ulimit "nofile=$(ulimit -Hn):$(ulimit -Hn)" --ulimit "nproc=$nproc:$nproc")
			;;
		*)
			tries=99
			;;
		esac
		if [ "$tries" -gt 2 ]; then
			echo "engine: $ENGINE cannot start a container from $image:" >&2
			printf '%s\n' "$err" >&2
			return 1
		fi
	done
	if [ $((${#ENGINE_GLOBAL[@]} + ${#ENGINE_OPTS[@]})) -gt 0 ]; then
		echo "engine: $ENGINE needs here: ${ENGINE_GLOBAL[*]} ${ENGINE_OPTS[*]}"
	fi
}
