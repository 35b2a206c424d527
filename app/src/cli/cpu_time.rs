//! CPU time of this process and its children, for the figures the benchmarks
//! and `mixdesk play` print beside wall time.

/// CPU time this process has used on all its threads (user + system), in
/// seconds, from /proc/self/stat (clock ticks of 1/100 s, Linux's USER_HZ);
/// 0 where that is not available.
pub fn cpu_seconds() -> f64 {
    // utime and stime are fields 14 and 15 of the line.
    stat_seconds(14)
}

/// CPU time (user + system) of this process's children that have ended and
/// been waited for, in seconds (fields 16 and 17 of /proc/self/stat).
#[cfg(feature = "bench")]
pub fn child_cpu_seconds() -> f64 {
    stat_seconds(16)
}

/// The sum of fields `field` and `field + 1` (1-based, as `man 5 proc` counts
/// them) of /proc/self/stat, clock ticks of 1/100 s, in seconds.
fn stat_seconds(field: usize) -> f64 {
    let Ok(stat) = std::fs::read_to_string("/proc/self/stat") else { return 0.0 };
    // Fields after the command name (which is in parentheses and may hold
    // spaces); the first after it is field 3.
    let Some(rest) = stat.rfind(')').map(|i| &stat[i + 1..]) else { return 0.0 };
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| fields.get(i - 3).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    (ticks(field) + ticks(field + 1)) as f64 / 100.0
}
