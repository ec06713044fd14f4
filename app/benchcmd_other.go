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

// childPeakRSS is not reported here.
func childPeakRSS(*os.ProcessState) int64 { return 0 }
