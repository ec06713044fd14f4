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

// childPeakRSS is a stopped child process's peak resident set size in bytes,
// or 0.
func childPeakRSS(ps *os.ProcessState) int64 {
	if ru, ok := ps.SysUsage().(*syscall.Rusage); ok {
		return ru.Maxrss // bytes on macOS
	}
	return 0
}
