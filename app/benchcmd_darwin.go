package app

import (
	"os"
	"syscall"
	"time"
)

// threadCPU is not available on macOS (no RUSAGE_THREAD): bcqb bench then
// leaves the simulators' CPU out of its report.
func threadCPU() (time.Duration, bool) { return 0, false }

// processUsage is the process's CPU time (user and system) and its peak
// resident set size in bytes.
func processUsage() (cpu time.Duration, peakRSS int64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), ru.Maxrss, true // Maxrss is in bytes on macOS
}

// watchPeakRSS follows the peak RSS of process pid: on macOS it is read
// from the exit status (getrusage's ru_maxrss of the child, in bytes), so
// stop must be called after the process was waited for; ps is that state.
// (Linux carries a parent's high-water mark over fork and exec into it;
// whether macOS does is not checked here.)
func watchPeakRSS(int) (stop func(ps *os.ProcessState) int64) {
	return func(ps *os.ProcessState) int64 {
		if ps == nil {
			return 0
		}
		if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
			return ru.Maxrss // bytes on macOS
		}
		return 0
	}
}

// peakRSSSource says where the bench's peak RSS of bcqb comes from.
const peakRSSSource = "its maximum resident set, from its exit status"
