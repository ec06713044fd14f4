//go:build !linux

package app

import "time"

// threadCPU is not available here: bcqb bench then reports the process's
// CPU with the simulators in it.
func threadCPU() (time.Duration, bool) { return 0, false }

// processUsage is not measured here (bcqb bench is a Linux tool; the
// binary still builds for Windows and macOS).
func processUsage() (cpu time.Duration, peakRSS int64, ok bool) { return 0, 0, false }
