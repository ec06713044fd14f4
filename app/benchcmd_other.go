//go:build !linux && !darwin

package app

import (
	"os"
	"time"
)

// threadCPU is not available here: bcqb bench then leaves the simulators'
// CPU out of its report.
func threadCPU() (time.Duration, bool) { return 0, false }

// processUsage is not measured here (the binary still builds for Windows;
// bcqb's own CPU comes from its exit status, which every system gives).
func processUsage() (cpu time.Duration, peakRSS int64, ok bool) { return 0, 0, false }

// watchPeakRSS is not available here: the peak RSS is not reported.
func watchPeakRSS(int) (stop func(*os.ProcessState) int64) {
	return func(*os.ProcessState) int64 { return 0 }
}

// peakRSSSource says where the bench's peak RSS of bcqb comes from.
const peakRSSSource = "not reported on this system"
