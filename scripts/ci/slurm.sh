#!/usr/bin/env bash
# Start a single-node Slurm cluster on this machine for the tests (idempotent).
#
#   eval "$(bash scripts/ci/slurm.sh)"      # then sinfo, sbatch ... use it
#
# - Installs Debian's slurm-wlm and munge when missing (scripts/ci/apt.sh).
# - Starts munged as the munge user (no sudo/systemd here), then slurmctld and
#   slurmd in the foreground under setsid, detached from this shell, with
#   their state, spool, pid and log files under MLCI_SLURM_DIR
#   (default /tmp/mlci-slurm): one partition `debug` with this host as its
#   only node. Accounting storage is `none` (no slurmdbd): states come from
#   squeue/scontrol, not sacct.
# - Already running (both pids alive and `sinfo` answers): does nothing. A
#   lock (flock) makes several worktrees calling it at once start one cluster.
# - Waits until the node is idle (MLCI_SLURM_TIMEOUT, default 30 s).
# - Prints `export SLURM_CONF=...` on stdout for eval.
# Stop it with: kill $(cat $MLCI_SLURM_DIR/slurmctld.pid $MLCI_SLURM_DIR/slurmd.pid)
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
require_root

DIR="${MLCI_SLURM_DIR:-/tmp/mlci-slurm}"
TIMEOUT="${MLCI_SLURM_TIMEOUT:-30}"
CONF="$DIR/slurm.conf"
export SLURM_CONF="$CONF"
export PATH="$PATH:/usr/local/sbin:/usr/sbin:/sbin"

bash "$MLCI_CI_DIR/apt.sh" slurm-wlm munge

mkdir -p "$DIR"
exec {lockfd}>"$DIR.lock"
flock -w 120 "$lockfd" || die "timed out waiting for $DIR.lock (another slurm.sh is starting the cluster)"

# pid from a pidfile when that process is alive and has the given name.
live() { # pidfile comm
  local pid
  [[ -s $1 ]] || return 1
  pid="$(<"$1")"
  [[ $pid =~ ^[0-9]+$ ]] && pid_running "$pid" || return 1
  [[ "$(cat "/proc/$pid/comm" 2>/dev/null)" == "$2" ]]
}

# munge: the key comes with the package; the daemon needs its run dir.
if ! munge -n 2>/dev/null | unmunge >/dev/null 2>&1; then
  mkdir -p /run/munge /var/log/munge /var/lib/munge
  chown munge:munge /run/munge /var/log/munge /var/lib/munge
  [[ -s /etc/munge/munge.key ]] || step "create the munge key" runuser -u munge -- /usr/sbin/mungekey --create
  step "start munged" runuser -u munge -- /usr/sbin/munged {lockfd}>&-
  munge -n | unmunge >/dev/null || die "munge does not answer (see /var/log/munge/munged.log)"
fi

host="$(hostname -s)"
mem_mb=$(( $(awk '/^MemTotal:/ { print $2 }' /proc/meminfo) / 1024 - 512 ))
write_conf() {
  mkdir -p "$DIR/state" "$DIR/spool"
  cat >"$CONF.new" <<EOF
# Written by scripts/ci/slurm.sh: a one-node test cluster.
ClusterName=mlci-test
SlurmctldHost=$host
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
MpiDefault=none
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
# CR_Core_Memory without DefMemPerCPU gives each job all memory (jobs queue on Resources).
SelectTypeParameters=CR_Core
ReturnToService=2
MailProg=/bin/true
StateSaveLocation=$DIR/state
SlurmdSpoolDir=$DIR/spool
SlurmctldPidFile=$DIR/slurmctld.pid
SlurmdPidFile=$DIR/slurmd.pid
SlurmctldLogFile=$DIR/slurmctld.log
SlurmdLogFile=$DIR/slurmd.log
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
# Finished jobs stay visible to scontrol for 5 minutes (no accounting storage).
MinJobAge=300
# RealMemory: jobs asking --mem (resources.memory) must fit in it.
NodeName=$host CPUs=$(nproc) RealMemory=$mem_mb State=UNKNOWN
PartitionName=debug Nodes=ALL Default=YES MaxTime=INFINITE State=UP
EOF
  if cmp -s "$CONF.new" "$CONF"; then rm -f "$CONF.new"; return 1; fi
  mv "$CONF.new" "$CONF"
}

ready() { timeout 10 sinfo -h -o '%t' 2>/dev/null | grep -Eq '^(idle|mix|alloc)'; }

changed=0
write_conf && changed=1
if live "$DIR/slurmctld.pid" slurmctld && live "$DIR/slurmd.pid" slurmd && ready; then
  if ((changed)); then
    # A node's resources change only with a restart of its slurmd; stop both, start below.
    log "slurm.conf changed: restarting the daemons"
    kill "$(<"$DIR/slurmd.pid")" "$(<"$DIR/slurmctld.pid")"
    for _ in $(seq 50); do live "$DIR/slurmctld.pid" slurmctld || live "$DIR/slurmd.pid" slurmd || break; sleep 0.2; done
  else
    log "slurm already running (slurmctld $(<"$DIR/slurmctld.pid"), slurmd $(<"$DIR/slurmd.pid"))"
    printf 'export SLURM_CONF=%s\n' "$CONF"
    exit 0
  fi
fi
{
  if ! live "$DIR/slurmctld.pid" slurmctld; then
    # The lock's fd is closed for the daemons: they would hold it forever.
    setsid slurmctld -D -f "$CONF" >>"$DIR/slurmctld.out" 2>&1 </dev/null {lockfd}>&- &
    log "started slurmctld (pid $!)"
  fi
  if ! live "$DIR/slurmd.pid" slurmd; then
    setsid slurmd -D -f "$CONF" >>"$DIR/slurmd.out" 2>&1 </dev/null {lockfd}>&- &
    log "started slurmd (pid $!)"
  fi
  t=$SECONDS
  until ready; do
    ((SECONDS - t < TIMEOUT)) || die "the node is not idle after ${TIMEOUT}s (see $DIR/slurmctld.log, $DIR/slurmd.log)"
    sleep 0.5
  done
  log "slurm ready after $((SECONDS - t))s: $(sinfo -h -o '%P %t %N')"
}
printf 'export SLURM_CONF=%s\n' "$CONF"
