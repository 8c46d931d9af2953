//! What the bench reads from Linux about processes and the machine: a process's memory
//! from `/proc/<pid>/status`, how busy the processors are from `/proc/stat`, and the
//! open-file limit (a thousand event streams need a thousand sockets here and there).

use std::time::Duration;

/// A `kB` field of `/proc/<pid>/status` (`VmRSS:`, `VmHWM:`) in MB.
pub fn status_mb(status: &str, field: &str) -> Option<f64> {
    let line = status.lines().find(|line| line.starts_with(field))?;
    let kb: f64 = line[field.len()..]
        .split_whitespace()
        .next()?
        .parse()
        .ok()?;
    Some(kb / 1024.0)
}

/// [`status_mb`] of a running process; `None` off Linux or once it has gone.
pub fn process_mb(pid: u32, field: &str) -> Option<f64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status_mb(&status, field)
}

/// The time the processors were busy and the whole time, from the `cpu` line of
/// `/proc/stat` (in ticks; waiting for disks counts as idle).
pub fn cpu_ticks(stat: &str) -> Option<(u64, u64)> {
    let line = stat.lines().find(|line| line.starts_with("cpu "))?;
    let ticks: Vec<u64> = line
        .split_whitespace()
        .skip(1)
        .take(8)
        .map(|field| field.parse().ok())
        .collect::<Option<_>>()?;
    let total: u64 = ticks.iter().sum();
    let idle = ticks.get(3)? + ticks.get(4)?;
    Some((total - idle, total))
}

/// How many of `cores` processors were busy between two [`cpu_ticks`] readings.
pub fn busy_cores(before: (u64, u64), after: (u64, u64), cores: usize) -> Option<f64> {
    let busy = after.0.checked_sub(before.0)?;
    let total = after.1.checked_sub(before.1)?;
    (total > 0).then(|| busy as f64 / total as f64 * cores as f64)
}

/// How many processors were busy over the next second: sampled while the bench itself
/// is idle, it is what other work on the machine takes. `None` off Linux.
pub fn busy_cores_now(cores: usize) -> Option<f64> {
    let read = || cpu_ticks(&std::fs::read_to_string("/proc/stat").ok()?);
    let before = read()?;
    std::thread::sleep(Duration::from_secs(1));
    busy_cores(before, read()?, cores)
}

/// Raises this process's open-file limit to its hard limit (or the kernel's ceiling,
/// `fs.nr_open`, when the hard limit is above it), so that the server processes started
/// after it inherit it too; returns the limit now in force.
pub fn raise_open_file_limit() -> libc::rlim_t {
    let mut limit = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit only writes the struct passed to it.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) } != 0 {
        return 0;
    }
    let ceiling = std::fs::read_to_string("/proc/sys/fs/nr_open")
        .ok()
        .and_then(|text| text.trim().parse::<libc::rlim_t>().ok())
        .unwrap_or(libc::rlim_t::MAX);
    let wanted = limit.rlim_max.min(ceiling);
    if limit.rlim_cur < wanted {
        let raised = libc::rlimit {
            rlim_cur: wanted,
            rlim_max: limit.rlim_max,
        };
        // SAFETY: setrlimit only reads the struct passed to it.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &raised) } == 0 {
            limit = raised;
        }
    }
    limit.rlim_cur
}

/// Waits for `child` to end; answers whether it succeeded and its peak resident memory in
/// MB, from the kernel's account of the finished process (`wait4`'s `ru_maxrss`, in KiB
/// on Linux), which sees the peak however briefly it lasted.
pub fn wait_with_peak_memory(child: std::process::Child) -> (bool, Option<f64>) {
    let pid = child.id() as libc::pid_t;
    let mut status: libc::c_int = 0;
    // SAFETY: an all-zero rusage is a valid value for wait4 to overwrite.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    // SAFETY: `pid` is our own child, not yet waited for (`child` is consumed here and
    // never waited by std); wait4 writes only the status and the rusage passed to it.
    let waited = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
    if waited != pid {
        return (false, None);
    }
    let succeeded = libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0;
    (succeeded, Some(usage.ru_maxrss as f64 / 1024.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn memory_fields_are_read_in_mb() {
        let status = "Name:\tcolloquy-server\nVmHWM:\t   40960 kB\nVmRSS:\t   30720 kB\n";
        assert_eq!(status_mb(status, "VmRSS:"), Some(30.0));
        assert_eq!(status_mb(status, "VmHWM:"), Some(40.0));
        assert_eq!(status_mb(status, "VmSwap:"), None);
    }

    #[test]
    fn busy_processors_come_from_two_readings() {
        let before = cpu_ticks("cpu  100 0 100 700 100 0 0 0 0 0\ncpu0 1 2 3 4\n");
        assert_eq!(before, Some((200, 1000)));
        let after = cpu_ticks("cpu  250 0 150 850 150 0 0 0 0 0\n");
        assert_eq!(after, Some((400, 1400)));
        assert_eq!(busy_cores(before.unwrap(), after.unwrap(), 2), Some(1.0));
        assert_eq!(busy_cores((5, 10), (5, 10), 2), None, "no time passed");
        assert_eq!(cpu_ticks("intr 1 2 3"), None);
    }

    #[test]
    fn the_open_file_limit_ends_at_the_hard_limit() {
        let now = raise_open_file_limit();
        let mut limit = libc::rlimit {
            rlim_cur: 0,
            rlim_max: 0,
        };
        // SAFETY: getrlimit only writes the struct passed to it.
        assert_eq!(
            unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut limit) },
            0
        );
        assert_eq!(now, limit.rlim_cur, "the limit in force is returned");
        let ceiling: libc::rlim_t = std::fs::read_to_string("/proc/sys/fs/nr_open")
            .expect("Linux")
            .trim()
            .parse()
            .expect("a number");
        assert_eq!(limit.rlim_cur, limit.rlim_max.min(ceiling));
    }
}
