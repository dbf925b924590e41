#!/usr/bin/env bash
# A one-node Slurm cluster on this machine, without systemd, for the sweep integration tests.
#
#   .ci/slurm-cluster.sh start DIR   starts munged, slurmctld and slurmd; writes DIR/slurm.conf and DIR/pids
#   .ci/slurm-cluster.sh stop DIR    stops exactly the processes that start recorded in DIR/pids
#
# Clients (sbatch, squeue, scontrol) find the cluster through SLURM_CONF=DIR/slurm.conf.
# Needs root and Debian's slurmctld, slurmd, slurm-client and munge packages. Facts seen on Debian 12:
# SlurmctldHost must be the short hostname, MailProg=/bin/true is required, there is no accounting
# (squeue/scontrol instead of sacct), proctrack/linuxproc and task/none work without cgroups.
set -euo pipefail
action=${1:?usage: slurm-cluster.sh start|stop DIR}
dir=${2:?usage: slurm-cluster.sh start|stop DIR}

stop() {
  [ -f "$dir/pids" ] || return 0
  # Daemons first, munged last; each PID is checked to still be the program we started.
  tac "$dir/pids" | while read -r pid name; do
    if [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]; then
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  rm -f "$dir/pids"
}

if [ "$action" = stop ]; then stop; exit 0; fi
[ "$action" = start ] || { echo "slurm-cluster.sh: unknown action '$action' (start or stop)" >&2; exit 2; }

mkdir -p "$dir/state" "$dir/spool" "$dir/log"
dir=$(cd "$dir" && pwd)
: > "$dir/pids"
host=$(hostname -s)
cpus=$(nproc)
mem_mb=$(( $(awk '/MemTotal/ {print $2}' /proc/meminfo) / 1024 - 1024 ))

# munge: the key comes with the Debian package; the socket lives under /run/munge.
install -d -o munge -g munge -m 0755 /run/munge
[ -s /etc/munge/munge.key ] || { /usr/sbin/mungekey --create --keyfile /etc/munge/munge.key 2>/dev/null || dd if=/dev/urandom of=/etc/munge/munge.key bs=1024 count=1 status=none; chown munge:munge /etc/munge/munge.key; chmod 0400 /etc/munge/munge.key; }
if ! pgrep -x munged >/dev/null; then
  setpriv --reuid=munge --regid=munge --init-groups /usr/sbin/munged --foreground >"$dir/log/munged.log" 2>&1 &
  echo "$! munged" >> "$dir/pids"
  for _ in $(seq 50); do [ -S /run/munge/munge.socket.2 ] && break; sleep 0.1; done
fi

cat > "$dir/slurm.conf" <<CONF
ClusterName=landscape-ci
SlurmctldHost=$host(127.0.0.1)
SlurmUser=root
SlurmctldPort=6817
SlurmdPort=6818
AuthType=auth/munge
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
MailProg=/bin/true
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
AccountingStorageType=accounting_storage/none
JobAcctGatherType=jobacct_gather/none
JobCompType=jobcomp/none
ReturnToService=2
SchedulerType=sched/backfill
MaxArraySize=10001
NodeName=$host NodeAddr=127.0.0.1 CPUs=$cpus RealMemory=$mem_mb State=UNKNOWN
PartitionName=main Nodes=$host Default=YES MaxTime=INFINITE State=UP
CONF
export SLURM_CONF="$dir/slurm.conf"
/usr/sbin/slurmctld -D -i -f "$SLURM_CONF" >"$dir/log/slurmctld.out" 2>&1 &
echo "$! slurmctld" >> "$dir/pids"
/usr/sbin/slurmd -D -f "$SLURM_CONF" >"$dir/log/slurmd.out" 2>&1 &
echo "$! slurmd" >> "$dir/pids"
for _ in $(seq 100); do
  if sinfo -h -o '%T' 2>/dev/null | grep -qE '^(idle|mixed|allocated)'; then
    echo "slurm-cluster.sh: one-node cluster '$host' ($cpus CPUs) is up; SLURM_CONF=$SLURM_CONF"
    exit 0
  fi
  sleep 0.2
done
echo "slurm-cluster.sh: the cluster did not come up in 20 s; logs in $dir/log" >&2
tail -5 "$dir/log/"*.log "$dir/log/"*.out >&2 || true
stop
exit 1
